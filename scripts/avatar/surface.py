"""Surface detail for skin and cloth: generated tileable textures and the UVs that lay
them on the body.

Used by build_avatar.py inside Blender. Flat colour read as plastic: skin has fine relief
(pores, the criss-cross of its surface) and a sheen that varies with it; cloth has a
weave or a knit. Each is a small tile generated from a seed (no texture asset ships with
a usable licence in any registry package), repeated over the surface by scaled UVs with
the sampler set to repeat.

The app draws these PNGs without mipmaps (Bevy builds none for PNG), so every tile is
band-limited on purpose: nothing finer than about a millimetre on skin or two on cloth,
which at the close-up's 1 to 1.5 mm a pixel shimmers least. A finer pore map aliased into
speckle when the head turned.

Conventions are Blender's: metres, Z up, the face towards -Y; image row 0 is v = 0.
"""

import math

import bpy
import numpy as np
from groom import srgb_to_linear

# How many metres of skin one skin tile covers, and of cloth one cloth tile.
SKIN_TILE_M = 0.04
CLOTH_TILE_M = 0.03


def _image(name, rgba, colour_data):
    """A packed image from an (h, w, 4) array in 0..1. Colour images hold sRGB-encoded
    values (what the PNG stores); data images (normals, roughness) are marked Non-Color
    so Blender and the exporter leave them linear."""
    h, w = rgba.shape[:2]
    img = bpy.data.images.new(name, w, h, alpha=False)
    if not colour_data:
        img.colorspace_settings.name = "Non-Color"
    img.pixels.foreach_set(np.clip(rgba, 0.0, 1.0).astype(np.float32).ravel())
    img.pack()
    return img


def band_noise(size, seed, wavelength_px, octaves=3, falloff=0.55):
    """Tileable noise of `size` x `size` with features of about `wavelength_px` and finer
    octaves, made in the frequency domain so it wraps without a seam and holds no
    frequency finer than the smallest octave. Zero mean, unit peak."""
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.fftfreq(size)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    out = np.zeros((size, size))
    amp = 1.0
    for o in range(octaves):
        centre = (2 ** o) / wavelength_px
        band = np.exp(-((f - centre) / (0.45 * centre)) ** 2)
        phase = np.exp(2j * np.pi * rng.uniform(size=(size, size)))
        out += amp * np.real(np.fft.ifft2(band * phase))
        amp *= falloff
    out -= out.mean()
    return out / max(np.abs(out).max(), 1e-9)


def normal_from_height(height, strength):
    """Tangent-space normals (OpenGL's +Y, as glTF and Blender use) from a wrapping height
    field in pixels, encoded 0..1."""
    dx = (np.roll(height, -1, axis=1) - np.roll(height, 1, axis=1)) * 0.5 * strength
    dy = (np.roll(height, -1, axis=0) - np.roll(height, 1, axis=0)) * 0.5 * strength
    n = np.stack([-dx, -dy, np.ones_like(height)], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    return n * 0.5 + 0.5


def skin_textures(name, seed, size=64):
    """The skin tile (SKIN_TILE_M across): a normal map of soft relief with shallow pits
    for pores, and a metallic-roughness map (G roughness, B metallic 0) whose roughness
    rises in the pits and falls on the crests, as oil sits on skin."""
    rng = np.random.default_rng(seed)
    relief = band_noise(size, seed, wavelength_px=5.0, octaves=2)
    # Pores: shallow soft pits two pixels across (about 1.2 mm at this tile's scale: real
    # pores are finer, but finer would alias, see the module's note).
    pits = np.zeros((size, size))
    ys, xs = np.mgrid[0:size, 0:size]
    for _ in range(size * size // 40):
        x0, y0 = rng.uniform(0, size, 2)
        dx = (xs - x0 + size / 2) % size - size / 2
        dy = (ys - y0 + size / 2) % size - size / 2
        pits += np.exp(-(dx * dx + dy * dy) / 0.9) * rng.uniform(0.5, 1.0)
    height = 0.6 * relief - 0.5 * pits
    # Bevy ignores glTF's normal scale, so the strength is baked into the map.
    normal = normal_from_height(height, strength=0.55)
    rgba = np.ones((size, size, 4))
    rgba[..., :3] = normal
    mr = np.ones((size, size, 4))
    mr[..., 0] = 1.0
    mr[..., 1] = np.clip(0.5 + 0.12 * pits - 0.08 * relief, 0.3, 0.75)
    mr[..., 2] = 0.0
    return _image(f"{name}_skin_n", rgba, False), _image(f"{name}_skin_mr", mr, False)


def knit_textures(name, rgb, seed, size=64, columns=6, rows=9):
    """A stockinette knit tile (CLOTH_TILE_M across): columns of V-shaped stitches, each
    stitch a pair of slanted loops, with a faint heathered colour. Returns the colour image
    (the garment's colour baked in, sRGB) and a normal map."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64)
    cw, rh = size / columns, size / rows
    u = (xs % cw) / cw - 0.5  # -0.5 .. 0.5 across a column
    v = (ys % rh) / rh  # 0 .. 1 up a row
    # Each half of the V is a loop leaning in: its centre line runs from the column's
    # middle at the bottom of the row out to a quarter at the top.
    lean = np.abs(u) - 0.12 - 0.22 * v
    loop = np.exp(-(lean / 0.16) ** 2) * np.sin(np.pi * np.clip(v, 0, 1)) ** 0.5
    height = loop + 0.15 * band_noise(size, seed, wavelength_px=6.0, octaves=1)
    normal = normal_from_height(height * 2.2, strength=1.0)
    colour = _heathered(rgb, seed, size, 0.55 + 0.45 * loop)
    return _image(f"{name}_knit", colour, True), _normal_image(f"{name}_knit_n", normal)


def weave_textures(name, rgb, seed, size=64, threads=16):
    """A plain-weave shirting tile (CLOTH_TILE_M across): threads over and under in a
    checker of floats, with slubs along them. Returns colour (sRGB) and normal images."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64)
    p = size / threads
    cx, cy = (xs // p).astype(int), (ys // p).astype(int)
    over = (cx + cy) % 2 == 0
    along_x = np.sin(np.pi * ((ys % p) / p)) ** 2
    along_y = np.sin(np.pi * ((xs % p) / p)) ** 2
    height = np.where(over, along_x, along_y) * 0.6 + 0.25 * band_noise(size, seed, wavelength_px=8.0, octaves=1)
    normal = normal_from_height(height, strength=0.8)
    colour = _heathered(rgb, seed + 1, size, 0.88 + 0.12 * height)
    return _image(f"{name}_weave", colour, True), _normal_image(f"{name}_weave_n", normal)


def _heathered(rgb, seed, size, shade):
    """The garment's colour (sRGB in, sRGB out) shaded by `shade` and flecked a little,
    as yarn is never one dye."""
    fleck = 1.0 + 0.06 * band_noise(size, seed + 7, wavelength_px=4.0, octaves=1)
    lin = np.array([srgb_to_linear(c) for c in rgb])
    out = np.ones((size, size, 4))
    out[..., :3] = lin[None, None, :] * (shade * fleck)[..., None]
    out[..., :3] = linear_to_srgb(np.clip(out[..., :3], 0.0, 1.0))
    return out


def _normal_image(name, normal):
    rgba = np.ones(normal.shape[:2] + (4,))
    rgba[..., :3] = normal
    return _image(name, rgba, False)


def linear_to_srgb(x):
    x = np.asarray(x)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def _tex(m, image, x):
    node = m.node_tree.nodes.new("ShaderNodeTexImage")
    node.image = image
    node.extension = "REPEAT"
    node.interpolation = "Linear"
    node.location = (x, 0)
    return node


def _normal(m, image):
    nodes, links = m.node_tree.nodes, m.node_tree.links
    bsdf = nodes.get("Principled BSDF")
    tex = _tex(m, image, -700)
    nm = nodes.new("ShaderNodeNormalMap")
    # Strength stays 1: Bevy ignores glTF's normal scale, so each map carries its own.
    links.new(tex.outputs["Color"], nm.inputs["Color"])
    links.new(nm.outputs["Normal"], bsdf.inputs["Normal"])


def skin_material(name, rgb, normal_img, mr_img):
    """Skin: the look's colour (the head's vertex colours vary it), the tiled relief as a
    normal map and roughness from the tile (the exporter packs G and B into glTF's
    metallic-roughness texture)."""
    m = bpy.data.materials.new(name)
    m.use_nodes = True
    nodes, links = m.node_tree.nodes, m.node_tree.links
    bsdf = nodes.get("Principled BSDF")
    bsdf.inputs["Base Color"].default_value = (*[srgb_to_linear(c) for c in rgb], 1.0)
    bsdf.inputs["Specular"].default_value = 0.35
    tex = _tex(m, mr_img, -700)
    sep = nodes.new("ShaderNodeSeparateColor")
    links.new(tex.outputs["Color"], sep.inputs["Color"])
    links.new(sep.outputs["Green"], bsdf.inputs["Roughness"])
    links.new(sep.outputs["Blue"], bsdf.inputs["Metallic"])
    _normal(m, normal_img)
    return m


def cloth_material(name, colour_img, normal_img, roughness=0.9):
    """Cloth: colour and relief from its tile, matte."""
    m = bpy.data.materials.new(name)
    m.use_nodes = True
    bsdf = m.node_tree.nodes.get("Principled BSDF")
    tex = _tex(m, colour_img, -400)
    m.node_tree.links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
    bsdf.inputs["Roughness"].default_value = roughness
    bsdf.inputs["Specular"].default_value = 0.25
    _normal(m, normal_img)
    return m


def skin_uv_scale(verts, faces, corner_uvs):
    """The factor that makes one skin tile SKIN_TILE_M across on the face: the median
    ratio of an edge's length in metres to its length in the base mesh's UV atlas."""
    ratios = []
    for f, uvs in zip(faces, corner_uvs):
        for k in range(len(f)):
            a, b = f[k], f[(k + 1) % len(f)]
            du = math.dist(uvs[k], uvs[(k + 1) % len(f)])
            if du > 1e-6:
                ratios.append(float(np.linalg.norm(np.asarray(verts[a]) - np.asarray(verts[b]))) / du)
    return float(np.median(ratios)) / SKIN_TILE_M


def garment_uvs(verts, src, sleeve_src, spine, arm_axes):
    """Per-vertex cloth UVs for a garment, in CLOTH_TILE_M tiles: round the body for the
    torso (the wrap's seam at the back, where the trainee never looks) and round each arm
    for the sleeves, so the knit runs down the arm as it is knitted and the change of
    direction falls at the shoulder, where a sleeve is sewn on.

    `spine` is a point on the body's vertical axis; `arm_axes` maps +1 (the body's left,
    +X) and -1 to (shoulder, wrist) points."""
    out = []
    for p, s in zip(verts, src):
        p = np.asarray(p)
        if s in sleeve_src:
            a, b = arm_axes[1.0 if p[0] > 0 else -1.0]
            a, b = np.asarray(a), np.asarray(b)
            axis = (b - a) / np.linalg.norm(b - a)
            d = p - a
            along = float(d @ axis)
            radial = d - along * axis
            # An angle round the arm, measured from "down the front" of it.
            side = np.cross(axis, np.array([0.0, -1.0, 0.0]))
            side /= max(np.linalg.norm(side), 1e-9)
            front = np.cross(side, axis)
            angle = math.atan2(float(radial @ side), float(radial @ front))
            out.append((angle * 0.05 / CLOTH_TILE_M, -along / CLOTH_TILE_M))
        else:
            d = p - np.asarray(spine)
            # Angle 0 faces the viewer (-Y); the seam where it wraps is at the back.
            angle = math.atan2(float(d[0]), float(-d[1]))
            out.append((angle * 0.15 / CLOTH_TILE_M, float(p[2]) / CLOTH_TILE_M))
    return out
