"""Adds the customer's pitch controls and per-phoneme durations to Kokoro-82M's ONNX graph.

Used by scripts/voice-model.sh on the verified original (kokoro-v1.0.int8.onnx); the
edited model is a build product, never committed. Standard library only: the edit is a
few fields of the protobuf wire format, so no `onnx` package (and no numpy or Python
version to match its compiled wheel) is needed.

The graph gains:
  * inputs `f0_scale` and `f0_spread` (float32 [1]): the prosody predictor's pitch curve
    (`/encoder/F0_proj/Conv_output_0`, in hertz) becomes
        max(f0 + voiced * (f0 - voiced_mean) * (f0_spread - 1), 0) * f0_scale
    so the level and the liveliness of the voice can follow the customer's mood
    (1.0 and 1.0 leave the voice as it was). The spread widens or narrows only the voiced
    frames around their own mean; unvoiced frames (under 10 Hz) stay unvoiced.
  * input `duration_cap` (int64 [1, tokens]): the most 25 ms frames each token may last.
    The model gives the leading pad about 14 frames of silence and the closing
    punctuation several more; the voice trims them anyway, and making them costs as
    much as speech (about 0.15 s a sentence on two cores), so they are capped.
  * output `durations` (int64, one per input token, pads included): how many 25 ms frames
    (600 samples at 24 kHz) each phoneme lasts, for lip sync and subtitle timing.

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
    """NodeProto: input 1, output 2, name 3, op_type 4, attribute 5."""
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


def edit_graph(graph):
    items = fields(graph)
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
    # The durations: the node writing them is renamed too, and capped into their name.
    capped = 0
    renamed_items = []
    for number, wire, value in edited:
        if number == 1 and wire == 2:
            node_fields = fields(value)
            if any(n == 2 and v == DURATIONS for n, _, v in node_fields):
                node_fields = [(n, w, DURATIONS + b"_raw" if n == 2 and v == DURATIONS else v) for n, w, v in node_fields]
                value = encode(node_fields)
                capped += 1
        renamed_items.append((number, wire, value))
    if capped != 1:
        raise SystemExit(f"expected one node writing {DURATIONS.decode()}, found {capped}: not the pinned model?")
    edited = renamed_items
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
        node("Mul", [t("voiced_dev"), t("extra")], [t("widen")], "holdspace/f0_widen"),
        node("Add", [raw, t("widen")], [t("wide")], "holdspace/f0_wide"),
        node("Relu", [t("wide")], [t("floor")], "holdspace/f0_floor"),
        node("Mul", [t("floor"), b"f0_scale"], [F0], "holdspace/f0_scale"),
    ]
    cap_node = node("Min", [DURATIONS + b"_raw", b"duration_cap"], [DURATIONS], "holdspace/duration_cap")
    # Nodes must stay in topological order: the new ones go straight after the renamed one.
    out = []
    for number, wire, value in edited:
        out.append((number, wire, value))
        if number == 1 and wire == 2:
            written = [v for n, _, v in fields(value) if n == 2]
            if raw in written:
                out.extend((1, 2, n) for n in new_nodes)
            if DURATIONS + b"_raw" in written:
                out.append((1, 2, cap_node))
    out.append((5, 2, float_tensor(one, [1.0])))
    out.append((5, 2, float_tensor(voiced_hz, [10.0])))
    out.append((5, 2, int64_tensor("holdspace_last_axis", [-1])))
    out.append((11, 2, value_info("f0_scale", FLOAT, [1])))
    out.append((11, 2, value_info("f0_spread", FLOAT, [1])))
    out.append((11, 2, value_info("duration_cap", INT64, None)))
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
