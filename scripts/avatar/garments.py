"""Clothes as garments over the body, not colour painted on it.

Used by build_avatar.py inside Blender. The body's faces under a top are lifted off the
skin along their normals, then smoothed so the fabric bridges the body's small shapes
(the chest, the collarbones, the ribs) instead of showing them, and pushed back out
wherever smoothing took them closer to the skin than the fabric's clearance. The body
faces it covers are dropped, and a hem joins each open edge back to the skin, so nothing
shows through a gap. Each garment vertex moves with the body vertex it was lifted from,
so it bends with the same rig.

Conventions are Blender's: metres, Z up, the face towards -Y.
"""

import numpy as np
from mathutils import Vector
from mathutils.bvhtree import BVHTree


# How far (metres) smoothed fabric may sink into the skin it covers, which is not drawn.
SINK = -0.01


def vertex_normals(verts, faces, used):
    """Area-weighted normals of `used` vertices over `faces` (N x 3, unit)."""
    pos = {i: k for k, i in enumerate(used)}
    n = np.zeros((len(used), 3))
    for f in faces:
        p = [np.asarray(verts[i]) for i in f]
        fn = np.cross(p[1] - p[0], p[2] - p[0])
        if len(f) == 4:
            fn = fn + np.cross(p[2] - p[0], p[3] - p[0])
        for i in f:
            if i in pos:
                n[pos[i]] += fn
    length = np.linalg.norm(n, axis=1, keepdims=True)
    return n / np.maximum(length, 1e-9)


def shell(verts, faces, skin_faces, clearance, smoothing=12, rigid=frozenset(), snug=frozenset(), snug_clearance=0.0015):
    """A garment over `faces` (base-mesh indices), clear of every face in `skin_faces`.
    Vertices in `rigid` (the sleeves) are lifted but not smoothed: smoothing across the
    armpit pulls fabric into the gap between arm and body, where the arm's bones then
    stretch it into spikes. Vertices in `snug` (where the garment meets fabric painted on
    the head mesh, round the neck) sit only `snug_clearance` off the skin, so the two
    meet without a step: at full clearance the hem's shadowed step drew a zigzag line
    round the base of the neck.

    Returns vertices, quads (the garment's, then its hem's), per vertex the base-mesh
    vertex it follows, and the per-face flag `hem` (True for the hem's quads)."""
    used = sorted({i for f in faces for i in f})
    pos = {i: k for k, i in enumerate(used)}
    normals = vertex_normals(verts, faces, used)
    edges = {}
    for f in faces:
        for a, b in zip(f, f[1:] + f[:1]):
            e = (min(a, b), max(a, b))
            edges[e] = edges.get(e, 0) + 1
    boundary = {i for e, c in edges.items() if c == 1 for i in e}

    skin_used = sorted({i for f in skin_faces for i in f})
    skin_pos = {i: k for k, i in enumerate(skin_used)}
    tree = BVHTree.FromPolygons([tuple(verts[i]) for i in skin_used], [[skin_pos[i] for i in f] for f in skin_faces])
    base = np.array([verts[i] for i in used], dtype=np.float64)
    lift = np.array([snug_clearance if i in snug else clearance for i in used])[:, None]
    p = base + normals * lift
    fixed = np.array([i in boundary or i in rigid or i in snug for i in used])
    # Edges both ways, for the neighbours' mean in one numpy step.
    ea = np.array([pos[a] for a, _ in edges] + [pos[b] for _, b in edges])
    eb = np.array([pos[b] for _, b in edges] + [pos[a] for a, _ in edges])
    degree = np.maximum(np.bincount(ea, minlength=len(used)), 1)[:, None]
    for step in range(smoothing):
        # Taubin's two-step filter: a smoothing step, then a slightly larger step back,
        # so small shapes (a nipple, a rib) go while the whole (the bust, the waist)
        # keeps its size; plain smoothing shrank the waist into a corset.
        for factor in (0.5, -0.53) * 3:
            total = np.zeros_like(p)
            np.add.at(total, ea, p[eb])
            p = np.where(fixed[:, None], p, p + factor * (total / degree - p))
        # Back out wherever smoothing pulled the fabric into the body. The skin under the
        # garment is dropped, so the fabric may sink a few millimetres into it: that is
        # what lets it round off the body's sharpest shapes (a nipple, a collarbone)
        # instead of hugging them.
        for k in range(len(used)):
            loc, normal, _, _ = tree.find_nearest(Vector(p[k]))
            if loc is None:
                continue
            n = Vector(normals[k])
            gap = (Vector(p[k]) - loc).dot(n)
            if gap < SINK:
                p[k] = np.asarray(Vector(p[k]) + n * (SINK - gap))
    out_v = [tuple(v) for v in p]
    out_f = [[pos[i] for i in f] for f in faces]
    src = list(used)
    hem = [False] * len(out_f)
    # The hem: each open edge gets a quad back to the skin it was lifted from.
    skin_copy = {}
    for f in faces:
        for a, b in zip(f, f[1:] + f[:1]):
            if edges[(min(a, b), max(a, b))] != 1:
                continue
            for i in (a, b):
                if i not in skin_copy:
                    skin_copy[i] = len(out_v)
                    out_v.append(tuple(np.asarray(verts[i]) + normals[pos[i]] * 0.0015))
                    src.append(i)
            out_f.append([pos[b], pos[a], skin_copy[a], skin_copy[b]])
            hem.append(True)
    return out_v, out_f, src, hem


def cut(verts, faces, src, planes):
    """Splits a garment's faces along planes (point, normal), so an edge between two
    colours runs straight instead of stepping from face to face. New vertices follow the
    base-mesh vertex of the nearest old one. Returns vertices, faces and their sources."""
    import bmesh
    from mathutils.kdtree import KDTree

    bm = bmesh.new()
    bv = [bm.verts.new(v) for v in verts]
    for f in faces:
        try:
            bm.faces.new([bv[i] for i in f])
        except ValueError:  # a duplicate face (the hem can double a corner): skip it
            pass
    for point, normal in planes:
        geom = list(bm.verts) + list(bm.edges) + list(bm.faces)
        bmesh.ops.bisect_plane(bm, geom=geom, plane_co=Vector(point), plane_no=Vector(normal))
    tree = KDTree(len(verts))
    for k, v in enumerate(verts):
        tree.insert(Vector(v), k)
    tree.balance()
    bm.verts.index_update()
    out_v = [tuple(v.co) for v in bm.verts]
    out_src = [src[tree.find(v.co)[1]] for v in bm.verts]
    out_f = [[v.index for v in f.verts] for f in bm.faces]
    bm.free()
    return out_v, out_f, out_src
