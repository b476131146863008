"""Hair and brows as alpha-tested cards with generated strand textures.

Used by build_avatar.py inside Blender. A shell of solid colour over the scalp read as a
helmet: real-time hair is drawn as cards, narrow ribbons that lie over the head in layers,
each textured with a few dozen strands whose alpha is cut at 0.5 (glTF `MASK`). Their
edges break the silhouette into strands and the gaps between them show the darker cap
beneath as depth. Everything here is generated from code and a seed: no hair asset ships
with a usable licence in any registry package.

Conventions are Blender's: metres, Z up, the face towards -Y; texture row 0 is v = 0 (the
glTF exporter flips V on the way out).
"""

import math

import bpy
import numpy as np
from mathutils import Vector
from mathutils.bvhtree import BVHTree


def smoothstep(x):
    x = min(max(x, 0.0), 1.0)
    return x * x * (3 - 2 * x)


def strand_texture(name, rgb, seed, size=(128, 256), strands=84, min_length=0.55):
    """An RGBA image of hair strands running along v (root at v = 0, tip at v = 1).

    Each strand is a soft vertical line 1 to 2.6 pixels wide with its own brightness, a
    slight wave and its own length, so card tips end raggedly. Colour darkens to the root
    and a lighter band a third of the way along stands in for the sheen hair shows along
    its length (glTF has no anisotropic highlight Blender 3.4 can export)."""
    w, h = size
    rng = np.random.default_rng(seed)
    alpha = np.zeros((h, w))
    # Colour everywhere, not black where no strand is: the filter mixes neighbouring texels
    # at the alpha cut, and black ones would outline every strand.
    bright = np.full((h, w), 0.9)
    v = np.linspace(0.0, 1.0, h)[:, None]
    xs = np.arange(w)[None, :]
    for _ in range(strands):
        x0 = rng.uniform(0, w)
        width = rng.uniform(1.0, 2.6)
        length = rng.uniform(min_length, 1.0)
        b = rng.uniform(0.78, 1.18)
        wave = rng.uniform(0.0, 2.0) * np.sin(v * rng.uniform(4.0, 9.0) + rng.uniform(0, 6.3))
        dx = np.abs(((xs - x0 - wave) + w / 2) % w - w / 2)
        across = np.clip(1.0 - dx / width, 0.0, 1.0)
        along = np.clip((length - v) / 0.12, 0.0, 1.0)
        a = across * along
        take = a > alpha
        alpha = np.where(take, a, alpha)
        bright = np.where(take, b, bright)
    root_to_tip = 0.86 + 0.24 * v
    sheen = 1.0 + 0.22 * np.exp(-((v - 0.35) / 0.08) ** 2)
    shade = bright * root_to_tip * sheen
    lin = np.array([srgb_to_linear(c) for c in rgb])
    pixels = np.zeros((h, w, 4))
    pixels[..., :3] = np.clip(shade[..., None] * lin[None, None, :], 0.0, 1.0)
    # Sharpen the alpha so the 0.5 cut keeps whole strands rather than their blurred edges.
    pixels[..., 3] = np.clip((alpha - 0.25) * 2.0, 0.0, 1.0)
    img = bpy.data.images.new(name, w, h, alpha=True)
    img.pixels.foreach_set(pixels.astype(np.float32).ravel())
    img.pack()
    return img


def brow_texture(name, rgb, seed, size=(128, 32)):
    """Short slanted hairs for a brow strip: u runs along the brow from the nose out, v
    across it. Hairs near the nose stand more upright and sparser, as brows grow."""
    w, h = size
    rng = np.random.default_rng(seed)
    alpha = np.zeros((h, w))
    ys, xs = np.mgrid[0:h, 0:w]
    for _ in range(520):
        u = rng.uniform(0, 1) ** 0.8
        x0, y0 = u * w, rng.uniform(0.15, 0.85) * h
        slant = 0.25 + 0.9 * u
        length = rng.uniform(4.0, 8.0)
        d = np.array([slant, 1.0]) / math.hypot(slant, 1.0)
        px, py = xs - x0, ys - y0
        t = px * d[0] + py * d[1]
        off = np.abs(px * d[1] - py * d[0])
        a = np.clip(1.0 - off / 1.4, 0, 1) * ((t > -length / 2) & (t < length / 2))
        alpha = np.maximum(alpha, a * rng.uniform(0.7, 1.0))
    # Thin at the ends of the brow.
    u = xs / w
    alpha *= np.clip(np.minimum(u / 0.12, (1.0 - u) / 0.1), 0, 1)
    lin = np.array([srgb_to_linear(c) for c in rgb])
    pixels = np.zeros((h, w, 4))
    pixels[..., :3] = lin
    pixels[..., 3] = np.clip((alpha - 0.1) * 2.0, 0, 1)
    img = bpy.data.images.new(name, w, h, alpha=True)
    img.pixels.foreach_set(pixels.astype(np.float32).ravel())
    img.pack()
    return img


def srgb_to_linear(c):
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def textured(name, image, roughness, specular):
    """A material whose base colour is `image`; returns it and its image node."""
    m = bpy.data.materials.new(name)
    m.use_nodes = True
    bsdf = m.node_tree.nodes.get("Principled BSDF")
    tex = m.node_tree.nodes.new("ShaderNodeTexImage")
    tex.image = image
    m.node_tree.links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
    bsdf.inputs["Roughness"].default_value = roughness
    bsdf.inputs["Specular"].default_value = specular
    return m, tex


def card_material(name, image, roughness=0.55, cutoff=0.5):
    """A double-sided, alpha-tested material reading colour and alpha from `image`."""
    m, tex = textured(name, image, roughness, 0.35)
    m.node_tree.links.new(tex.outputs["Alpha"], m.node_tree.nodes.get("Principled BSDF").inputs["Alpha"])
    m.blend_method = "CLIP"
    m.alpha_threshold = cutoff
    m.use_backface_culling = False
    return m


def cap_material(name, image, shade=0.8):
    """The opaque cap: the strand texture's colour, a little darker, with no alpha (a
    texture of its own: the glTF exporter carries an image, not a multiply node)."""
    w, h = image.size
    px = np.empty(w * h * 4, dtype=np.float32)
    image.pixels.foreach_get(px)
    px = px.reshape(h, w, 4)
    px[..., :3] *= shade
    px[..., 3] = 1.0
    img = bpy.data.images.new(name, w, h, alpha=False)
    img.pixels.foreach_set(px.ravel())
    img.pack()
    return textured(name, img, 0.7, 0.3)[0]


class Scalp:
    """The head's surface for laying strands on: nearest points and outward normals."""

    def __init__(self, verts, faces, centre):
        used = sorted({i for f in faces for i in f})
        local = {i: k for k, i in enumerate(used)}
        self.tree = BVHTree.FromPolygons([tuple(verts[i]) for i in used], [[local[i] for i in f] for f in faces])
        self.centre = Vector(centre)

    def nearest(self, p):
        loc, normal, _, dist = self.tree.find_nearest(p)
        if loc is None:
            return None, None, None
        n = normal.normalized()
        if n.dot(loc - self.centre) < 0:
            n = -n
        return loc, n, dist


def comb_direction(style, p, n, crown, bun):
    """Which way a strand rooted at `p` (outward normal `n`) lies: swept back from the
    face, fanned out from the crown, or drawn to a bun; always along the skin."""
    flow = style["flow"]
    if flow == "bun":
        want = bun - p
    elif flow == "back":
        want = Vector((0.0, 1.0, -0.35)) + (p - crown) * 4.0 * Vector((1.0, 0.0, 0.0))
    else:  # "crown": out from the whorl and down, never forward over the face
        want = (p - crown) + Vector((0.0, 0.0, -style["droop"] * 0.08))
        want.y = max(want.y, 0.4 * Vector((want.x, 0.0, want.z)).length)
    t = want - n * want.dot(n)
    if t.length < 1e-6:
        t = Vector((0.0, 1.0, 0.0)) - n * n.y
    return t.normalized()


def hair_cards(verts, scalp_faces, head_faces, above_line, centre, style, seed, src_of_face):
    """Cards over the scalp: vertices, quads, per-vertex UVs and, per vertex, the base-mesh
    vertex it follows (the root's). `above_line(p)` is how far p sits above the hairline;
    `src_of_face(face, p)` the base-mesh vertex a root on `face` follows."""
    rng = np.random.default_rng(seed)
    scalp = Scalp(verts, head_faces, centre)
    tops = [Vector(verts[i]) for f in scalp_faces for i in f]
    crown_z = max(p.z for p in tops)
    crown = Vector((centre.x, centre.y + style["crown_back"], crown_z))
    bun = Vector((centre.x, centre.y + 0.105, centre.z + 0.07))
    # Roots: area-weighted over the scalp patch, so the crown is as full as the sides.
    tri = []
    for f in scalp_faces:
        a, b, c = (Vector(verts[i]) for i in f[:3])
        area = ((b - a).cross(c - a)).length / 2
        if len(f) == 4:
            d = Vector(verts[f[3]])
            area += ((c - a).cross(d - a)).length / 2
        tri.append(area)
    area = np.array(tri)
    picks = rng.choice(len(scalp_faces), size=style["cards"], p=area / area.sum())
    out_v, out_f, out_uv, out_src = [], [], [], []
    segments = style["segments"]
    for k, fi in enumerate(picks):
        f = scalp_faces[fi]
        wts = rng.dirichlet(np.ones(len(f)))
        p = sum((Vector(verts[i]) * float(w) for i, w in zip(f, wts)), Vector())
        loc, n, _ = scalp.nearest(p)
        if loc is None:
            continue
        layer = k % style["layers"]
        fullness = smoothstep(above_line(loc) / 0.03)
        lift0 = style["cap"] * (0.2 + 0.8 * fullness) + 0.0015 + 0.0032 * layer
        length = style["length"] * rng.uniform(0.65, 1.1)
        step = length / segments
        pts = [loc + n * lift0]
        normals = [n]
        d = comb_direction(style, loc, n, crown, bun)
        for s in range(segments):
            q = pts[-1] + d * step
            # Gravity pulls the outer part of longer hair down.
            q.z -= step * style["droop"] * (s + 1) / segments
            sl, sn, dist = scalp.nearest(q)
            if sl is None:
                break
            fullness = smoothstep(above_line(sl) / 0.03)
            lift = style["cap"] * (0.2 + 0.8 * fullness) + 0.0015 + 0.0032 * layer
            # Never inside the head or the cap, and never standing off it for long: hair
            # lies on the head under its own weight, so half of any gap closes each step.
            off = (q - sl).dot(sn)
            if off < lift:
                q = sl + sn * lift
            else:
                q = q - sn * (0.5 * (off - lift) * style["cling"])
            # Stop at the face: hair may fall past the hairline only where the style lets it.
            rel = q - centre
            front = -rel.y / max(Vector((rel.x, rel.y, 0.0)).length, 1e-6)
            allowed = style["over_front"] if front > 0.35 else style["over_back"]
            if above_line(sl) < -allowed:
                break
            pts.append(q)
            normals.append(sn)
            nd = q - pts[-2]
            if nd.length > 1e-6:
                d = (nd.normalized() + d) .normalized()
        if len(pts) < 3:
            continue
        width = style["width"] * rng.uniform(0.8, 1.25)
        u0 = rng.uniform(0.0, 0.45)
        base = len(out_v)
        src = src_of_face(f, loc)
        count = len(pts)
        for s, (q, nn) in enumerate(zip(pts, normals)):
            t = s / (count - 1)
            along = (pts[min(s + 1, count - 1)] - pts[max(s - 1, 0)]).normalized()
            side = along.cross(nn).normalized()
            half = 0.5 * width * (1.0 - 0.45 * t)
            for sign, u in ((-1.0, u0), (1.0, u0 + 0.55)):
                out_v.append(tuple(q + side * half * sign))
                out_uv.append((u, t * 0.98))
                out_src.append(src)
        for s in range(count - 1):
            a = base + 2 * s
            out_f.append([a, a + 1, a + 3, a + 2])
    return out_v, out_f, out_uv, out_src


def cap_uvs(cap_verts, centre, repeats=7):
    """UVs for the cap under the cards: around the head and down from the crown, so its
    strand texture runs the way the hair falls and the cap reads as hair where cards part."""
    out = []
    for p in cap_verts:
        d = Vector(p) - centre
        around = math.atan2(d.x, -d.y) / (2 * math.pi) + 0.5
        down = math.acos(max(-1.0, min(1.0, d.z / max(d.length, 1e-6)))) / math.pi
        out.append((around * repeats, down * 2.2))
    return out
