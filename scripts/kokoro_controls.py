"""Adds the customer's pitch controls and per-phoneme durations to Kokoro-82M's ONNX graph.

Used by scripts/voice-model.sh on the verified original (kokoro-v1.0.int8.onnx); the
edited model is a build product, never committed. Standard library only: the edit is a
few fields of the protobuf wire format, so no `onnx` package (and no numpy or Python
version to match its compiled wheel) is needed.

The graph gains:
  * inputs `f0_scale` and `f0_spread` (float32 [1]): the prosody predictor's pitch curve
    (`/encoder/F0_proj/Conv_output_0`, in hertz) becomes
        max(f0 + voiced * max(f0 - voiced_mean, 0) * (f0_spread - 1), 0) * f0_scale
    so the level and the liveliness of the voice can follow the customer's mood
    (1.0 and 1.0 leave the voice as it was). The spread raises or lowers only the peaks:
    voiced frames above their own mean move away from it or towards it, the rest keep
    their pitch (a speaker's floor hardly moves with arousal; the top line does, and
    widening both ways pushed a low voice's valleys into creak, so that a hostile line
    measured lower than an angry one). Unvoiced frames (under 10 Hz) stay unvoiced.
  * output `durations` (int64, one per input token, pads included): how many 25 ms frames
    (600 samples at 24 kHz) each phoneme lasts, for lip sync and subtitle timing.

The silence the model makes around a sentence (a leading pad of about 13 frames, several
after the closing punctuation) is left alone: capping it at three frames to save time was
tried and clipped the first and last sounds (the decoder fades in over its first ten or
so frames; "Nineteen" was heard as "In teen", "Right" as "I'd").

Its 87 convolutions run in float. The pinned model is dynamically quantised: each
convolution quantises its input to 8 bits on every run, convolves in integers
(`ConvInteger`, 57 % of the time on this machine, most of it in the decoder) and scales
back. Each becomes `DequantizeLinear` of its 8-bit weights feeding a float `Conv`; the
voice's session folds the dequantised weights once at load (`session.disable_quant_qdq`),
so the file stays 8-bit on disk and ONNX Runtime's optimised float convolution does the
work: 10 to 20 % less time a sentence, the shortest gaining most, and the activations no
longer rounded to 8 bits. The quantise-and-rescale nodes left unused are removed. Each
of those 1-D convolutions then runs as a 2-D one of height 1, which ONNX Runtime's
blocked x86 kernels take: about 10 % less again.

Usage: python3 kokoro_controls.py IN.onnx OUT.onnx
"""

import struct
import sys

F0 = b"/encoder/F0_proj/Conv_output_0"
DURATIONS = b"/encoder/Cast_output_0"
FLOAT, INT64 = 1, 7


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf):
    """The message's fields in order, as (number, wire type, raw value)."""
    out, i = [], 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            start = i
            _, i = read_varint(buf, i)
            out.append((number, wire, buf[start:i]))
        elif wire == 1:
            out.append((number, wire, buf[i:i + 8]))
            i += 8
        elif wire == 2:
            length, i = read_varint(buf, i)
            out.append((number, wire, buf[i:i + length]))
            i += length
        elif wire == 5:
            out.append((number, wire, buf[i:i + 4]))
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def encode(items):
    out = bytearray()
    for number, wire, value in items:
        out += varint(number << 3 | wire)
        if wire == 2:
            out += varint(len(value))
        out += value
    return bytes(out)


def string(number, text):
    return (number, 2, text if isinstance(text, bytes) else text.encode())


def node(op, inputs, outputs, name, attributes=()):
    """NodeProto: input 1, output 2, name 3, op_type 4, attribute 5 (each already encoded)."""
    items = [string(1, i) for i in inputs] + [string(2, o) for o in outputs] + [string(3, name), string(4, op)]
    return encode(items + [(5, 2, a) for a in attributes])


def attribute_int(name, value):
    """AttributeProto: name 1, i 3, type 20 (INT = 2)."""
    return encode([string(1, name), (3, 0, varint(value)), (20, 0, varint(2))])


def float_tensor(name, values):
    """TensorProto: dims 1, data_type 2, name 8, raw_data 9."""
    raw = b"".join(struct.pack("<f", v) for v in values)
    return encode([(1, 0, varint(len(values))), (2, 0, varint(FLOAT)), string(8, name), (9, 2, raw)])


def value_info(name, elem_type, dims):
    """ValueInfoProto: name 1, type 2 (TypeProto.tensor_type 1: elem_type 1, shape 2)."""
    tensor = [(1, 0, varint(elem_type))]
    if dims is not None:
        tensor.append((2, 2, encode([(1, 2, encode([(1, 0, varint(d))])) for d in dims])))
    return encode([string(1, name), (2, 2, encode([(1, 2, encode(tensor))]))])


def int64_tensor(name, values):
    """TensorProto: dims 1, data_type 2, name 8, raw_data 9."""
    raw = b"".join(struct.pack("<q", v) for v in values)
    return encode([(1, 0, varint(len(values))), (2, 0, varint(INT64)), string(8, name), (9, 2, raw)])


def node_parts(value):
    """A node's inputs, outputs and op type."""
    parts = fields(value)
    return (
        [v for n, _, v in parts if n == 1],
        [v for n, _, v in parts if n == 2],
        next((v for n, _, v in parts if n == 4), b""),
    )


def float_convolutions(items):
    """Rewrites each dynamically quantised convolution
        ConvInteger(DynamicQuantizeLinear(x), Wq) [+ quantised bias] -> Cast -> Mul(scale)
    as Conv(x, DequantizeLinear(Wq), bias), then drops what no longer feeds anything."""
    nodes = {}
    for index, (number, wire, value) in enumerate(items):
        if number == 1 and wire == 2:
            nodes[index] = node_parts(value)
    initializers = set()
    for number, wire, value in items:
        if number == 5 and wire == 2:
            initializers.update(v for n, _, v in fields(value) if n == 8)
    producer = {o: i for i, (_, outs, _) in nodes.items() for o in outs}
    consumers = {}
    for i, (ins, _, _) in nodes.items():
        for name in ins:
            consumers.setdefault(name, []).append(i)

    def only_consumer(name, op):
        found = consumers.get(name, [])
        if len(found) != 1 or nodes[found[0]][2] != op:
            raise SystemExit(f"unexpected graph after {name.decode()}: not the pinned model?")
        return found[0]

    def produced_by(name, op):
        i = producer.get(name)
        if i is None or nodes[i][2] != op:
            raise SystemExit(f"{name.decode()} is not made by {op.decode()}: not the pinned model?")
        return i

    replace, drop = {}, set()
    for i, (ins, outs, op) in nodes.items():
        if op != b"ConvInteger":
            continue
        x = nodes[produced_by(ins[0], b"DynamicQuantizeLinear")][0][0]
        weights, weight_zero = ins[1], ins[3]
        after = consumers.get(outs[0], [])
        bias = []
        if len(after) == 1 and nodes[after[0]][2] == b"Add":
            add = after[0]
            reshape = produced_by(nodes[add][0][1], b"Reshape")
            cast = produced_by(nodes[reshape][0][0], b"Cast")
            floor = produced_by(nodes[cast][0][0], b"Floor")
            div = produced_by(nodes[floor][0][0], b"Div")
            bias = [nodes[div][0][0]]
            drop.add(add)
            cast_out = only_consumer(nodes[add][1][0], b"Cast")
        else:
            cast_out = only_consumer(outs[0], b"Cast")
        rescale = only_consumer(nodes[cast_out][1][0], b"Mul")
        scales = nodes[produced_by(nodes[rescale][0][1], b"Mul")][0]
        weight_scale = [s for s in scales if s in initializers]
        if len(weight_scale) != 1 or weights not in initializers:
            raise SystemExit(f"convolution {outs[0].decode()} has no constant weights: not the pinned model?")
        drop.update((cast_out, rescale))
        attributes = [v for n, _, v in fields(items[i][2]) if n == 5]
        name = next(v for n, _, v in fields(items[i][2]) if n == 3)
        dequantised = weights + b"_float"
        replace[i] = [
            node("DequantizeLinear", [weights, weight_scale[0], weight_zero], [dequantised], name + b"_weights"),
            node("Conv", [x, dequantised] + bias, [nodes[rescale][1][0]], name + b"_float", attributes),
        ]
    if len(replace) != 87:
        raise SystemExit(f"expected 87 quantised convolutions, found {len(replace)}: not the pinned model?")
    out = []
    for index, item in enumerate(items):
        if index in replace:
            out.extend((1, 2, n) for n in replace[index])
        elif index not in drop:
            out.append(item)
    # Drop nodes whose outputs nothing reads (the activations' quantisers, the bias
    # rescaling), repeatedly, then the initializers nothing reads.
    graph_outputs = {v for n, w, value in out if n == 12 for k, _, v in fields(value) if k == 1}
    while True:
        parts = {i: node_parts(v) for i, (n, w, v) in enumerate(out) if n == 1 and w == 2}
        read = graph_outputs | {name for ins, _, _ in parts.values() for name in ins}
        dead = {i for i, (_, outs, _) in parts.items() if not any(o in read for o in outs)}
        if not dead:
            break
        out = [item for i, item in enumerate(out) if i not in dead]
    return [
        (n, w, v)
        for n, w, v in out
        if not (n == 5 and w == 2 and not any(k == 8 and name in read for k, _, name in fields(v)))
    ]


def attribute_ints(raw):
    """An AttributeProto's name and its `ints` (field 8, packed or not), else None."""
    name, ints = b"", []
    for number, wire, value in fields(raw):
        if number == 1:
            name = value
        elif number == 8 and wire == 0:
            ints.append(read_varint(value, 0)[0])
        elif number == 8 and wire == 2:
            i = 0
            while i < len(value):
                v, i = read_varint(value, i)
                ints.append(v)
    return name, ints


def attribute_list(name, values):
    """AttributeProto: name 1, ints 8, type 20 (INTS = 7)."""
    return encode([string(1, name)] + [(8, 0, varint(v)) for v in values] + [(20, 0, varint(7))])


def two_dimensional_convolutions(items):
    """Runs each 1-D convolution as a 2-D one of height 1 (input and weights unsqueezed at
    axis 2, the output squeezed back): ONNX Runtime's blocked (NCHWc) convolution kernels,
    its fastest on x86, take only 2-D convolutions."""
    axis = b"holdspace_height_axis"
    out, changed = [], 0
    for number, wire, value in items:
        if not (number == 1 and wire == 2):
            out.append((number, wire, value))
            continue
        ins, outs, op = node_parts(value)
        attributes = [v for n, _, v in fields(value) if n == 5]
        parsed = {name: ints for name, ints in map(attribute_ints, attributes)}
        if op != b"Conv" or len(parsed.get(b"kernel_shape", [])) != 1:
            out.append((number, wire, value))
            continue
        name = next(v for n, _, v in fields(value) if n == 3)
        widened = []
        for raw in attributes:
            key, ints = attribute_ints(raw)
            if key in (b"kernel_shape", b"strides", b"dilations"):
                widened.append(attribute_list(key, [1] + ints))
            elif key == b"pads":
                widened.append(attribute_list(key, [0, ints[0], 0, ints[1]]))
            else:
                widened.append(raw)
        x, w, y = name + b"_x2d", name + b"_w2d", name + b"_y2d"
        out.extend(
            (1, 2, n)
            for n in (
                node("Unsqueeze", [ins[0], axis], [x], name + b"_x_to_2d"),
                node("Unsqueeze", [ins[1], axis], [w], name + b"_w_to_2d"),
                node("Conv", [x, w] + ins[2:], [y], name + b"_2d", widened),
                node("Squeeze", [y, axis], [outs[0]], name + b"_to_1d"),
            )
        )
        changed += 1
    if changed != 88:
        raise SystemExit(f"expected 88 one-dimensional convolutions, found {changed}: not the pinned model?")
    out.append((5, 2, int64_tensor(axis, [2])))
    return out


def edit_graph(graph):
    items = two_dimensional_convolutions(float_convolutions(fields(graph)))
    renamed = 0
    edited = []
    for number, wire, value in items:
        if number == 1 and wire == 2:  # a node: rename the pitch curve it writes
            node_fields = fields(value)
            if any(n == 2 and v == F0 for n, _, v in node_fields):
                node_fields = [(n, w, F0 + b"_raw" if n == 2 and v == F0 else v) for n, w, v in node_fields]
                value = encode(node_fields)
                renamed += 1
        edited.append((number, wire, value))
    if renamed != 1:
        raise SystemExit(f"expected one node writing {F0.decode()}, found {renamed}: not the pinned model?")
    raw = F0 + b"_raw"

    def t(name):
        """A name for each new tensor, beside the curve it comes from."""
        return F0 + b"_" + name.encode()

    axis, one, voiced_hz = b"holdspace_last_axis", b"holdspace_one", b"holdspace_voiced_hz"
    new_nodes = [
        # Which frames are voiced: Kokoro's source generator treats pitch under 10 Hz as
        # unvoiced, so those frames must neither count in the mean nor gain a pitch.
        node("Greater", [raw, voiced_hz], [t("is_voiced")], "holdspace/f0_is_voiced"),
        node("Cast", [t("is_voiced")], [t("mask")], "holdspace/f0_mask", [attribute_int("to", FLOAT)]),
        node("Mul", [raw, t("mask")], [t("voiced")], "holdspace/f0_voiced"),
        node("ReduceSum", [t("voiced"), axis], [t("sum")], "holdspace/f0_sum"),
        node("ReduceSum", [t("mask"), axis], [t("count_raw")], "holdspace/f0_count_raw"),
        node("Max", [t("count_raw"), one], [t("count")], "holdspace/f0_count"),
        node("Div", [t("sum"), t("count")], [t("mean")], "holdspace/f0_mean"),
        node("Sub", [raw, t("mean")], [t("dev")], "holdspace/f0_dev"),
        node("Sub", [b"f0_spread", one], [t("extra")], "holdspace/f0_extra"),
        node("Mul", [t("dev"), t("mask")], [t("voiced_dev")], "holdspace/f0_voiced_dev"),
        node("Relu", [t("voiced_dev")], [t("rise")], "holdspace/f0_rise"),
        node("Mul", [t("rise"), t("extra")], [t("widen")], "holdspace/f0_widen"),
        node("Add", [raw, t("widen")], [t("wide")], "holdspace/f0_wide"),
        node("Relu", [t("wide")], [t("floor")], "holdspace/f0_floor"),
        node("Mul", [t("floor"), b"f0_scale"], [F0], "holdspace/f0_scale"),
    ]
    # Nodes must stay in topological order: the new ones go straight after the renamed one.
    out = []
    for number, wire, value in edited:
        out.append((number, wire, value))
        if number == 1 and wire == 2:
            written = [v for n, _, v in fields(value) if n == 2]
            if raw in written:
                out.extend((1, 2, n) for n in new_nodes)
    out.append((5, 2, float_tensor(one, [1.0])))
    out.append((5, 2, float_tensor(voiced_hz, [10.0])))
    out.append((5, 2, int64_tensor("holdspace_last_axis", [-1])))
    out.append((11, 2, value_info("f0_scale", FLOAT, [1])))
    out.append((11, 2, value_info("f0_spread", FLOAT, [1])))
    out.append((1, 2, node("Identity", [DURATIONS], [b"durations"], "holdspace/durations")))
    out.append((12, 2, value_info("durations", INT64, None)))
    return encode(out)


def main():
    source, dest = sys.argv[1], sys.argv[2]
    with open(source, "rb") as f:
        model = f.read()
    items = fields(model)
    graphs = [i for i, (n, w, _) in enumerate(items) if n == 7 and w == 2]
    if len(graphs) != 1:
        raise SystemExit("no graph in the model")
    n, w, graph = items[graphs[0]]
    items[graphs[0]] = (n, w, edit_graph(graph))
    with open(dest, "wb") as f:
        f.write(encode(items))


if __name__ == "__main__":
    main()
