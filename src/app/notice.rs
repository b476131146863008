//! Visible notices: problems the trainee should know about (a missing scenario, a reply
//! that was refused) shown as a banner for a few seconds instead of failing silently.

use bevy::prelude::*;

use crate::app::PresentSystems;
use crate::app::theme::{ERROR, PANEL, SMALL, TEXT, label};

/// How long a notice stays up.
const NOTICE_SECONDS: f32 = 6.0;

/// Something to tell the user.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct Notice {
    /// The words.
    pub text: String,
    /// Shown in the error colour.
    pub is_error: bool,
    /// How long it stays up.
    pub seconds: f32,
}

impl Notice {
    /// An error notice.
    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            text: text.into(),
            is_error: true,
            seconds: NOTICE_SECONDS,
        }
    }

    /// An informational notice.
    pub fn info(text: impl Into<String>) -> Notice {
        Notice {
            text: text.into(),
            is_error: false,
            seconds: NOTICE_SECONDS,
        }
    }

    /// An informational notice that stays up for `seconds` (a coach's hint needs time to
    /// be read between turns).
    pub fn lasting(text: impl Into<String>, seconds: f32) -> Notice {
        Notice {
            seconds,
            ..Notice::info(text)
        }
    }
}

/// A banner on screen, with its remaining time.
#[derive(Component, Debug)]
pub struct NoticeBanner(Timer);

/// Registers notices.
pub fn plugin(app: &mut App) {
    app.add_message::<Notice>()
        .add_systems(Update, (show_notices, expire_notices).in_set(PresentSystems::Ui));
}

/// The column the banners stack in, at the top centre: each banner takes the height its
/// text needs, so a notice of two or three lines never runs under the next.
#[derive(Component, Debug)]
pub struct NoticeStack;

/// Spawns a banner for each notice, stacked at the top centre.
pub fn show_notices(
    mut commands: Commands,
    mut notices: MessageReader<Notice>,
    stacks: Query<Entity, With<NoticeStack>>,
) {
    if notices.is_empty() {
        return;
    }
    let stack = stacks.iter().next().unwrap_or_else(|| {
        commands
            .spawn((
                Name::new("Notices"),
                NoticeStack,
                GlobalZIndex(100),
                Node {
                    position_type: PositionType::Absolute,
                    top: px(12.0),
                    left: percent(20.0),
                    width: percent(60.0),
                    flex_direction: FlexDirection::Column,
                    row_gap: px(6.0),
                    ..default()
                },
            ))
            .id()
    });
    for notice in notices.read() {
        if notice.is_error {
            warn!("{}", notice.text);
        } else {
            info!("{}", notice.text);
        }
        commands.spawn((
            Name::new("Notice"),
            NoticeBanner(Timer::from_seconds(notice.seconds, TimerMode::Once)),
            ChildOf(stack),
            Node {
                width: percent(100.0),
                padding: UiRect::axes(px(14.0), px(8.0)),
                border: UiRect::all(px(2.0)),
                border_radius: BorderRadius::all(px(6.0)),
                ..default()
            },
            BackgroundColor(PANEL),
            BorderColor::all(if notice.is_error { ERROR } else { TEXT }),
            children![label(
                notice.text.clone(),
                SMALL,
                if notice.is_error { ERROR } else { TEXT }
            )],
        ));
    }
}

/// Removes banners whose time is up.
pub fn expire_notices(mut commands: Commands, time: Res<Time>, mut banners: Query<(Entity, &mut NoticeBanner)>) {
    for (entity, mut banner) in &mut banners {
        if banner.0.tick(time.delta()).is_finished() {
            commands.entity(entity).despawn();
        }
    }
}
