"""Things a customer wears besides clothes: glasses and a lanyard with an ID badge.

Used by build_avatar.py inside Blender, for the looks whose customers suit them (reading
glasses on the older customers, a work lanyard on the young one who is locked out on the
way to work). Each is generated here and fitted to the body by casting rays at it, so it
sits on this look's nose and ears or chest, not where an average head would put them.

Conventions are Blender's: metres, Z up, the face towards -Y.
"""

import math

from mathutils import Vector


def tube(points, radius, closed=False, sides=6):
    """A tube of `sides` round a polyline: vertices and quads. Frames are carried along the
    line (parallel transport) so the tube does not twist."""
    pts = [Vector(p) for p in points]
    n = len(pts)
    verts, faces = [], []
    up = Vector((0.0, 0.0, 1.0))
    prev_side = None
    for k, p in enumerate(pts):
        if closed:
            d = pts[(k + 1) % n] - pts[k - 1]
        else:
            d = pts[min(k + 1, n - 1)] - pts[max(k - 1, 0)]
        d.normalize()
        side = prev_side if prev_side is not None else d.cross(up)
        if side.length < 1e-6:
            side = d.cross(Vector((1.0, 0.0, 0.0)))
        side = (side - d * side.dot(d)).normalized()
        prev_side = side
        other = d.cross(side)
        for s in range(sides):
            a = 2 * math.pi * s / sides
            verts.append(tuple(p + (side * math.cos(a) + other * math.sin(a)) * radius))
    rings = n if closed else n - 1
    for k in range(rings):
        a, b = k * sides, ((k + 1) % n) * sides
        for s in range(sides):
            t = (s + 1) % sides
            faces.append([a + s, a + t, b + t, b + s])
    return verts, faces


def glasses(ray, eye_l, eye_r, rim=(0.024, 0.017), thickness=0.0018):
    """Reading glasses: two rounded rims before the eyes, a bridge resting on the nose and
    arms running back over the ears. `ray(origin, direction)` returns where a ray meets
    the head, or None. Returns vertices and quads (every vertex rides the head bone)."""
    mid = (eye_l + eye_r) / 2
    # The bridge rests on the nose: the skin straight ahead of the eyes' midpoint, a
    # little below the eye line, where a nose pad sits.
    hit = ray(mid + Vector((0.0, -0.2, -0.004)), Vector((0.0, 1.0, 0.0)))
    front_y = (hit.y if hit is not None else eye_l.y - 0.02) - 0.003
    verts, faces = [], []

    def add(part):
        v, f = part
        faces.extend([[len(verts) + i for i in q] for q in f])
        verts.extend(v)

    outer = {}
    for eye in (eye_l, eye_r):
        out = 1.0 if eye.x > mid.x else -1.0
        cx, cz = eye.x + out * 0.002, eye.z - 0.003
        half_w, half_h = rim
        # A rounded rectangle (a superellipse), a touch deeper at the outer top.
        ring = []
        steps = 28
        for s in range(steps):
            a = 2 * math.pi * s / steps
            c, si = math.cos(a), math.sin(a)
            x = half_w * math.copysign(abs(c) ** 0.6, c)
            z = half_h * math.copysign(abs(si) ** 0.6, si)
            # The frame curves back a little towards its outer edge, as a face does.
            y = front_y + 0.004 * (max(0.0, out * x) / half_w) ** 2
            ring.append((cx + x, y, cz + z))
        add(tube(ring, thickness, closed=True))
        outer[out] = Vector((cx + out * half_w, front_y + 0.004, cz + half_h * 0.45))
    # The bridge: an arch between the rims' inner edges.
    inner = [Vector((eye.x + (1.0 if eye.x < mid.x else -1.0) * (rim[0] - 0.002), front_y, eye.z))
             for eye in (eye_l, eye_r)]
    bridge = [inner[0].lerp(inner[1], t) + Vector((0.0, 0.0, 0.004 * math.sin(math.pi * t))) for t in (0.0, 0.25, 0.5, 0.75, 1.0)]
    add(tube(bridge, thickness * 0.8))
    # The arms: back from each rim's outer edge along the side of the head to behind the
    # ear, clear of the skin, then a hook down.
    for out, start in outer.items():
        path = [start]
        for k in range(1, 7):
            y = start.y + 0.095 * k / 6
            p = Vector((start.x, y, start.z - 0.002 * k))
            hit = ray(Vector((out * 0.3, y, p.z)), Vector((-out, 0.0, 0.0)))
            if hit is not None and out * (hit.x + out * 0.003 - p.x) > 0:
                p.x = hit.x + out * 0.003
            path.append(p)
        end = path[-1]
        path.append(end + Vector((0.0, 0.012, -0.012)))
        add(tube(path, thickness * 0.8))
    return verts, faces


def lanyard(ray, neck_x, collar_z, drop, width=0.014, card=(0.055, 0.085)):
    """A ribbon from both sides of the neck down the chest to an ID card. `ray(origin,
    direction)` returns (point, normal) where a ray meets the clothes, or None; `neck_x`
    is the ribbon's half-spread at the collar and `drop` how far below the collar the card
    hangs. Returns vertices, quads, each quad's part ("ribbon", "clip", "card", "band"), and the
    points each vertex was fitted to (to skin it to the body under it)."""
    verts, faces, parts, anchors = [], [], [], []
    clip = Vector((0.0, 0.0, collar_z - drop))

    def on_chest(x, z, lift):
        hit = ray(Vector((x, -0.4, z)), Vector((0.0, 1.0, 0.0)))
        if hit is None:
            raise RuntimeError("a lanyard ray missed the body")
        point, _ = hit
        return point + Vector((0.0, -lift, 0.0)), point

    for out in (-1.0, 1.0):
        start = len(verts)
        steps = 10
        for k in range(steps + 1):
            t = k / steps
            x = out * neck_x * (1.0 - t) + out * 0.006 * t
            z = collar_z - 0.012 - (drop - 0.017) * t
            # A ribbon lies flat on the chest, turned to run along it.
            for dx in (-width / 2, width / 2):
                p, anchor = on_chest(x + dx * (1.0 - 0.6 * t), z, 0.004)
                verts.append(tuple(p))
                anchors.append(anchor)
        for k in range(steps):
            a = start + 2 * k
            faces.append([a, a + 1, a + 3, a + 2] if out > 0 else [a, a + 2, a + 3, a + 1])
            parts.append("ribbon")
    # The clip: from the ribbon's two ends down to the card.
    ends = [Vector(verts[start - 1]).lerp(Vector(verts[start - 2]), 0.5) for start in (2 * (steps + 1), 4 * (steps + 1))]
    clip_top = (ends[0] + ends[1]) / 2
    for end in ends:
        v, f = tube([end, clip_top + Vector((0.0, 0.0, -0.006))], 0.0016)
        faces.extend([[len(verts) + i for i in q] for q in f])
        parts.extend(["clip"] * len(f))
        verts.extend(v)
        anchors.extend([clip] * len(v))
    # The card: portrait, hanging from the clip, held a few millimetres off the chest
    # (flat, so it reads as a stiff card), with a coloured band across its top.
    w, h = card
    top = clip.z - 0.004
    _, anchor = on_chest(0.0, top - h / 2, 0.0)
    hit_top, _ = on_chest(0.0, top, 0.0)
    hit_bottom, _ = on_chest(0.0, top - h, 0.0)
    y = min(hit_top.y, hit_bottom.y) - 0.006
    for z0, z1, part in ((top - 0.018, top, "band"), (top - h, top - 0.018, "card")):
        start = len(verts)
        for x, z in ((-w / 2, z0), (w / 2, z0), (w / 2, z1), (-w / 2, z1)):
            verts.append((x, y, z))
            anchors.append(anchor)
        faces.append([start, start + 1, start + 2, start + 3])
        parts.append(part)
    return verts, faces, parts, anchors
