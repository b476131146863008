//! Colours, text sizes and small UI builders shared by every screen, so screens read
//! as layout and a palette change happens in one place.

use bevy::prelude::*;
use holdspace_core::Band;

/// Screen background behind UI-only screens.
pub const BACKGROUND: Color = Color::srgb(0.07, 0.08, 0.10);
/// Panels and cards.
pub const PANEL: Color = Color::srgba(0.11, 0.12, 0.15, 0.92);
/// Main text.
pub const TEXT: Color = Color::srgb(0.93, 0.93, 0.90);
/// Secondary text.
pub const MUTED: Color = Color::srgb(0.63, 0.65, 0.68);
/// Accent for headings and focus.
pub const ACCENT: Color = Color::srgb(0.98, 0.78, 0.36);
/// Errors and broken files.
pub const ERROR: Color = Color::srgb(0.95, 0.42, 0.38);
/// Buttons at rest, hovered and pressed.
pub const BUTTON: Color = Color::srgb(0.19, 0.22, 0.28);
/// Hovered button.
pub const BUTTON_HOVER: Color = Color::srgb(0.26, 0.31, 0.40);
/// Pressed button.
pub const BUTTON_PRESSED: Color = Color::srgb(0.36, 0.43, 0.55);
/// A selected toggle.
pub const BUTTON_SELECTED: Color = Color::srgb(0.30, 0.45, 0.38);

/// Body text size.
pub const BODY: f32 = 17.0;
/// Small print.
pub const SMALL: f32 = 14.0;
/// Headings.
pub const HEADING: f32 = 26.0;

/// The colour of a band, from calm green through amber to hostile red.
pub fn band_color(band: Band) -> Color {
    let [r, g, b] = band.rgb();
    Color::srgb(r, g, b)
}

/// A text span: string, size, colour.
pub fn label(text: impl Into<String>, size: f32, color: Color) -> impl Bundle {
    (Text::new(text), TextFont::from_font_size(size), TextColor(color))
}

/// One cell of a table row: a single line in a column of `width` pixels (`None`: the
/// last column, as wide as its text). Measured as one line, so a long name cannot make
/// its row taller than the others.
pub fn cell(text: impl Into<String>, size: f32, color: Color, width: Option<f32>) -> impl Bundle {
    (
        label(text, size, color),
        TextLayout::no_wrap(),
        Node {
            width: width.map_or(Val::Auto, px),
            flex_shrink: 0.0,
            ..default()
        },
    )
}

/// A clickable button with a text label; `marker` says what it does.
pub fn button(text: impl Into<String>, marker: impl Component) -> impl Bundle {
    (
        Name::new("Button"),
        Button,
        marker,
        Node {
            padding: UiRect::axes(px(14.0), px(8.0)),
            border: UiRect::all(px(1.0)),
            border_radius: BorderRadius::all(px(6.0)),
            justify_content: JustifyContent::FlexStart,
            align_items: AlignItems::Center,
            ..default()
        },
        BackgroundColor(BUTTON),
        BorderColor::all(Color::srgb(0.32, 0.36, 0.44)),
        children![label(text, BODY, TEXT)],
    )
}

/// The look of a text field the trainee types into: dark, with an accent border.
pub fn text_field_look() -> impl Bundle {
    (
        BackgroundColor(Color::srgba(0.05, 0.06, 0.08, 0.9)),
        BorderColor::all(ACCENT),
        TextFont::from_font_size(BODY),
        TextColor(TEXT),
    )
}

/// A full-screen overlay laid out top to bottom, its first and last children at the
/// edges (the HUD, the replay's controls).
pub fn overlay_root() -> Node {
    Node {
        width: percent(100.0),
        height: percent(100.0),
        flex_direction: FlexDirection::Column,
        justify_content: JustifyContent::SpaceBetween,
        padding: UiRect::all(px(16.0)),
        ..default()
    }
}

/// Colours buttons as the pointer moves over and presses them.
pub fn paint_buttons(
    mut buttons: Query<
        (&Interaction, &mut BackgroundColor),
        (
            Changed<Interaction>,
            With<Button>,
            Without<Selected>,
            Without<Unpainted>,
        ),
    >,
) {
    for (interaction, mut background) in &mut buttons {
        background.0 = match interaction {
            Interaction::Pressed => BUTTON_PRESSED,
            Interaction::Hovered => BUTTON_HOVER,
            Interaction::None => BUTTON,
        };
    }
}

/// A button that keeps its own colour (a chart point coloured by band).
#[derive(Component, Debug, Default)]
pub struct Unpainted;

/// A toggle button that is currently on (painted by its screen, not by [`paint_buttons`]).
#[derive(Component, Debug, Default)]
pub struct Selected;

/// The UI font, embedded so the app finds it from any working directory.
const UI_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the button painter and makes DejaVu Sans the default font: Bevy's built-in
/// subset has no `£`, curly quotes or accents, which scenario text uses.
pub fn plugin(app: &mut App) {
    if let Some(mut fonts) = app.world_mut().get_resource_mut::<Assets<Font>>()
        && let Err(e) = fonts.insert(AssetId::default(), Font::from_bytes(UI_FONT.to_vec()))
    {
        warn!("could not install the UI font, falling back to Bevy's: {e}");
    }
    app.add_systems(Update, paint_buttons.in_set(crate::app::PresentSystems::Ui));
}
