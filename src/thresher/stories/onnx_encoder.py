"""MiniLM sentence vectors through ONNX Runtime: the lean forward pass of ``encoder`` as one ONNX graph.

The graph is written here node by node (``onnx.helper``, no exporter: the same weights always give
the same bytes) from the model's ``model.safetensors``: embeddings (the token-type row folded into
the position table), per layer ONNX Runtime's fused ``Attention`` (query, key and value projections
as one matrix; in int8, the three products then ``MultiHeadAttention``), the output projection, layer norm, GELU feed-forward and layer norm, then the
masked mean of the last states, L2-normalised, all inside the graph. Texts are tokenised once
(``tokenizers``, no padding), sorted by length and cut into batches of similar length, as in
``encoder.LeanEncoder``; in float32 the vectors are ``LeanEncoder``'s to 1e-5, 1.2x faster.

``int8`` names the matrix products (``MATRICES``) that run in int8: ``MatMulIntegerToFloat`` (MLAS's
u8s8 kernels, ~1.7x float32 on one AVX2 core without VNNI), weights symmetric per output channel in
7 bits (AVX2 sums pairs of u8 x s8 products in 16 bits, which full 8-bit weights would saturate),
activations uint8 with a scale per token (row): ``QuantizeLinear`` along the rows of the (batch x
tokens) x channels activations, each scaled by its row's own largest magnitude (zero point 128; the
outputs of GELU, never below ``GELU_FLOOR``, by the row's maximum with zero point ``GELU_ZERO``),
and the product's rows multiplied back by their scales. One zero point for every row keeps MLAS's
fast path (a zero point per row would need a correction per row and column), and a scale per row
makes a text's vector independent of its batch-mates: alone or in any batch, the same to 1e-6
(the float32 graph's own rounding), where one range per call (the previous graph) moved it by up to
cosine 3e-3 and so could change a clustering with an unrelated item added or another partition.
The query, key and value products share one quantisation and feed ONNX Runtime's float
``MultiHeadAttention``. What keeps the vectors close (cosine to float32 on stories-dev, mean /
worst): SmoothQuant's migration (alpha 0.5) into the products fed by a layer norm, from calibrated
channel sizes, and the 8 feed-forward channels of the largest activations per layer (``OUTLIERS``)
left in float32 (LLM.int8's decomposition; migration hurts there): 0.9987 / 0.9979 (one range per
call: 0.9978 / 0.9955). The calibration runs the float32 graph on 200 sequences of random word
pieces (seeded), so it needs no data set and gives the same graph on every machine: its channel
sizes work as well as those of real headlines. The cost of the scales per row (reductions, and a
scaling of each product's output): 0.92x the speed of the per-call graph (260 against 286
headlines/s of stories-dev on one core, alternating in one process), still 1.3x float32
(``benchmarks/stories.py``: 242 against 184); stories-dev pairwise F1 0.785 (per call 0.786,
float32 0.786), B-cubed 0.953, the ticker's 0.923 unchanged. (Also measured, in graph version 2:
a fixed range per product from the calibration, batch-independent too but at cosine 0.9983 of
float32, pairwise F1 0.769 and the ticker 0.894.)

The serialised graph is written once per machine to ``cache_dir`` (named after the weights'
digest, the options and ``GRAPH_VERSION``), so later processes only read it (~1 s); without a
``cache_dir`` it is built in each process (float32 ~3 s, int8 with its calibration ~8 s).

Imported only by the embedding backend (it needs ``onnx``, ``onnxruntime``, ``tokenizers`` and
``safetensors``: the ``[stories]`` extra).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from thresher.model_files import cached_file, file_digest
from thresher.stories.batching import padded_batches

F32 = npt.NDArray[np.float32]

GRAPH_VERSION = 3
"""Bump when the graph written by ``build_graph`` changes: cached files of other versions are not read."""

MATRICES = ("qkv", "out", "ffn_in", "ffn_out")
"""The matrix products of a layer: query/key/value (one), attention output, feed-forward in and out."""

OUTLIERS = 8
"""Feed-forward channels per layer kept in float32 when ``ffn_out`` runs in int8, those of the
largest activations (``ffn_out`` alone in int8: vectors at cosine 0.9964 of float32 with every
channel in int8, 0.9993 with these 8 kept in float32)."""

GELU_FLOOR = -0.17
"""Below GELU's minimum (-0.16997)."""

GELU_ZERO = 16
"""The zero point of GELU's outputs in uint8: 16 levels below zero reach ``GELU_FLOOR``, 239 above."""


def probe_names(layers: int) -> list[str]:
    """The activations ``calibrate`` measures: the input of each layer and of each feed-forward product."""
    return ["x0", *(f"l{k}.{name}" for k in range(layers) for name in ("att", "x1", "gelu", "x2"))]


def available() -> bool:
    """Whether ONNX Runtime and the graph builder are installed (checked without importing them)."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("onnxruntime", "onnx", "tokenizers", "safetensors"))


def load_weights(model_dir: Path) -> dict[str, F32]:
    """The model's tensors by name (``bert.`` prefix dropped), as float32 numpy arrays."""
    from safetensors.numpy import load_file

    tensors = load_file(str(model_dir / "model.safetensors"))
    return {name.removeprefix("bert."): np.asarray(value, dtype=np.float32) for name, value in tensors.items()}


def build_graph(
    weights: dict[str, F32], config: dict[str, Any], *, int8: Collection[str] = (), stats: dict[str, F32] | None = None,
    smooth: float = 0.5, outliers: int = OUTLIERS, probes: bool = False,
) -> bytes:
    """The serialised ONNX model: inputs ``ids`` and ``mask`` (int64, batch x tokens), output
    ``vectors`` (float32, batch x hidden, unit length).

    ``int8``: names of ``MATRICES`` run in int8, in every layer. ``stats`` (from ``calibrate``): the
    range of each channel of the activations that feed them, for SmoothQuant's migration (strength
    ``smooth``) into the ``qkv`` and ``ffn_in`` weights, and the ``outliers`` feed-forward channels
    of the largest activations, which stay in float32. Activations are quantised per token (row),
    so a text's vector does not depend on its batch-mates. ``probes``: the graph also outputs the
    activations ``calibrate`` measures (``probe_names``; tokens x channels, batch rows one after another)."""
    from onnx import TensorProto, helper, numpy_helper

    if config.get("position_embedding_type", "absolute") != "absolute" or config.get("hidden_act") != "gelu":
        raise ValueError("the ONNX encoder runs BERT models with absolute positions and exact GELU only")
    unknown = set(int8) - set(MATRICES)
    if unknown:
        raise ValueError(f"unknown matrices for int8: {sorted(unknown)}")
    dim, heads, eps = int(config["hidden_size"]), int(config["num_attention_heads"]), float(config["layer_norm_eps"])
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: npt.NDArray[Any]) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, *, domain: str = "", **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain or None, **attrs))
        return output

    def quantized(weight: F32) -> tuple[npt.NDArray[np.int8], F32]:
        """Symmetric per-column int8 in 7 bits (``weight`` is inputs x outputs)."""
        scale = np.maximum(np.abs(weight).max(axis=0) / 63.0, 1e-12).astype(np.float32)
        return np.clip(np.rint(weight / scale), -63, 63).astype(np.int8), scale

    if int8:
        const("q.one", np.array(1.0, dtype=np.float32))
        const("q.tiny", np.array(1e-8, dtype=np.float32))
        const("q.127", np.array(127.0, dtype=np.float32))
        const("q.signed", np.array(128, dtype=np.uint8))
        const("q.signed1", np.array([128], dtype=np.uint8))
        const("q.gelu", np.array(GELU_ZERO, dtype=np.uint8))
        const("q.gelu1", np.array([GELU_ZERO], dtype=np.uint8))
        const("q.gelu.levels", np.array(255.0 - GELU_ZERO, dtype=np.float32))
        const("q.gelu.step", np.array(-GELU_FLOOR / GELU_ZERO, dtype=np.float32))

    def quantize_rows(x: str, name: str, gelu: bool) -> tuple[str, str, str]:
        """``x`` (tokens x channels) in uint8 with a scale per row (``QuantizeLinear`` per row) and
        one zero point for all: ``x ~ s * (q - z)``; also the column of ``s`` and ``z``. ``z`` is 128
        (``s``: the row's largest magnitude over 127) or, for GELU's outputs (never below
        ``GELU_FLOOR``), ``GELU_ZERO`` (``s``: the row's maximum over the levels above it, at least
        what keeps ``GELU_FLOOR`` in range)."""
        top = node("ReduceMax", [x], name + ".hi", axes=[1], keepdims=0)
        if gelu:
            scale = node("Max", [node("Div", [top, "q.gelu.levels"], name + ".s0"), "q.gelu.step"], name + ".xs")
            zero, zeros = "q.gelu", "q.gelu1"
        else:
            bottom = node("Neg", [node("ReduceMin", [x], name + ".lo", axes=[1], keepdims=0)], name + ".nlo")
            size = node("Max", [node("Max", [top, bottom], name + ".amax"), "q.tiny"], name + ".size")
            scale = node("Div", [size, "q.127"], name + ".xs")
            zero, zeros = "q.signed", "q.signed1"
        rows = node("Expand", [zeros, node("Shape", [scale], name + ".rows")], name + ".xz")
        q = node("QuantizeLinear", [x, scale, rows], name + ".xq", axis=0)
        return q, node("Unsqueeze", [scale, "axis1"], name + ".col"), zero

    def migrated(x: str, weight: F32, name: str, source: str) -> tuple[str, F32]:
        """SmoothQuant's ``x / s`` and ``s * weight``, ``s`` from each channel's calibrated size and
        the largest weight it meets."""
        if stats is None or not smooth:
            return x, weight
        lo, hi = stats[source + ":lo"], stats[source + ":hi"]
        size = np.maximum(np.maximum(-lo, hi), 1e-5)
        s = (size**smooth / np.maximum(np.abs(weight).max(axis=1), 1e-5) ** (1 - smooth)).astype(np.float32)
        x = node("Mul", [x, const(name + ".smooth", (1.0 / s).astype(np.float32))], name + ".s")
        return x, weight * s[:, None]

    def product(xq: str, scale: str, zero: str, weight: F32, name: str) -> str:
        """``x @ weight`` from ``x`` quantised per row (``quantize_rows``): ``s * ((q - z) @ weight)``."""
        q, wscale = quantized(weight)
        y = node("MatMulIntegerToFloat", [xq, const(name + ".w", q), "q.one", const(name + ".scale", wscale),
                                          zero, const(name + ".zero", np.zeros(q.shape[1], dtype=np.int8))],
                 name + ".y", domain="com.microsoft")
        return node("Mul", [y, scale], name)

    def matmul(x: str, weight: F32, name: str, kind: str, source: str | None = None, migrate: bool = False,
               gelu: bool = False) -> str:
        """``x @ weight`` (the caller adds the bias, in the node that follows); in int8 when ``kind``
        is named in ``int8``. ``gelu``: ``x`` is GELU's output."""
        if kind not in int8:
            return node("MatMul", [x, const(name + ".w", weight)], name)
        if migrate and source is not None:
            x, weight = migrated(x, weight, name, source)
        return product(*quantize_rows(x, name, gelu), weight, name)

    def w(key: str) -> F32:
        return weights[key]

    const("word", w("embeddings.word_embeddings.weight"))
    const("position", w("embeddings.position_embeddings.weight") + w("embeddings.token_type_embeddings.weight")[0])
    const("axis0", np.array([0], dtype=np.int64))
    const("axis1", np.array([1], dtype=np.int64))
    const("axis2", np.array([2], dtype=np.int64))
    length = node("Slice", [node("Shape", ["ids"], "shape"), "axis1", "axis2"], "length")
    x = node("Add", [node("Gather", ["word", "ids"], "tokens"), node("Slice", ["position", "axis0", length, "axis0"],
                                                                      "positions")], "embedded")
    x = node("LayerNormalization", [x, const("emb.g", w("embeddings.LayerNorm.weight")),
                                    const("emb.b", w("embeddings.LayerNorm.bias"))], "x0.3d", axis=-1,
             epsilon=eps)
    # the layers work on (batch x tokens) x hidden: a scale per row is one per token; 3-D for attention
    rows = const("rows", np.array([-1, dim], dtype=np.int64))
    cube = node("Concat", [node("Shape", ["ids"], "shape2"), const("hidden", np.array([dim], dtype=np.int64))],
                "cube", axis=0)
    x = node("Reshape", [x, rows], "x0")
    mask32 = node("Cast", ["mask"], "mask32", to=TensorProto.INT32)
    layers = int(config["num_hidden_layers"])
    extra = probe_names(layers) if probes else []
    for k in range(layers):
        p = f"encoder.layer.{k}."
        qkv_w = np.concatenate([w(p + f"attention.self.{m}.weight") for m in ("query", "key", "value")]).T
        qkv_b = np.concatenate([w(p + f"attention.self.{m}.bias") for m in ("query", "key", "value")])
        if "qkv" in int8:  # one quantisation of x for the three products, then the float attention
            h, qkv_w = migrated(x, qkv_w, f"l{k}.qkv", x)
            xq, scale, zero = quantize_rows(h, f"l{k}.qkv", False)
            thirds = [np.ascontiguousarray(part) for part in np.split(qkv_w, 3, axis=1)]
            parts = [node("Reshape", [product(xq, scale, zero, third, f"l{k}.{m}"), cube], f"l{k}.{m}.3d")
                     for third, m in zip(thirds, "qkv", strict=True)]
            att = node("MultiHeadAttention", [*parts, const(f"l{k}.qkv.b", qkv_b), mask32], f"l{k}.att3",
                       domain="com.microsoft", num_heads=heads)
        else:
            att = node("Attention", [node("Reshape", [x, cube], f"l{k}.x3"),
                                     const(f"l{k}.qkv.w", np.ascontiguousarray(qkv_w)),
                                     const(f"l{k}.qkv.b", qkv_b), mask32],
                       f"l{k}.att3", domain="com.microsoft", num_heads=heads)
        att = node("Reshape", [att, rows], f"l{k}.att")
        o = matmul(att, w(p + "attention.output.dense.weight").T, f"l{k}.out", "out")
        o_b = const(f"l{k}.out.b", w(p + "attention.output.dense.bias"))
        x = node("LayerNormalization", [node("Sum", [o, o_b, x], f"l{k}.res1"),
                                        const(f"l{k}.n1.g", w(p + "attention.output.LayerNorm.weight")),
                                        const(f"l{k}.n1.b", w(p + "attention.output.LayerNorm.bias"))],
                 f"l{k}.x1", axis=-1, epsilon=eps)
        in_w, in_b = w(p + "intermediate.dense.weight").T, w(p + "intermediate.dense.bias")
        out_w, out_b = w(p + "output.dense.weight").T, w(p + "output.dense.bias")
        inner = f"l{k}.gelu"
        # with ffn_out in int8, the channels of the largest activations last: they stay in float32
        split = outliers if ("ffn_out" in int8 and stats is not None) else 0
        order = np.argsort(stats[inner + ":hi"], kind="stable") if split and stats is not None else np.arange(len(in_b))
        in_w, in_b, out_w = in_w[:, order], in_b[order], out_w[order]
        node("BiasGelu", [matmul(x, in_w, f"l{k}.in", "ffn_in", x, migrate=True), const(f"l{k}.in.b", in_b)], inner,
             domain="com.microsoft")
        f = [const(f"l{k}.ffn.b", out_b)]
        if split:
            cut = len(in_b) - split
            const(f"l{k}.cut", np.array([cut], dtype=np.int64))
            const(f"l{k}.end", np.array([len(in_b)], dtype=np.int64))
            low = node("Slice", [inner, "axis0", f"l{k}.cut", "axis1"], f"l{k}.low")
            high = node("Slice", [inner, f"l{k}.cut", f"l{k}.end", "axis1"], f"l{k}.high")
            f += [matmul(low, out_w[:cut], f"l{k}.ffn.q", "ffn_out", gelu=True),
                  node("MatMul", [high, const(f"l{k}.ffn.fw", out_w[cut:])], f"l{k}.ffn.f")]
        else:
            f.append(matmul(inner, out_w, f"l{k}.ffn", "ffn_out", gelu=True))
        x = node("LayerNormalization", [node("Sum", [*f, x], f"l{k}.res2"),
                                        const(f"l{k}.n2.g", w(p + "output.LayerNorm.weight")),
                                        const(f"l{k}.n2.b", w(p + "output.LayerNorm.bias"))],
                 f"l{k}.x2", axis=-1, epsilon=eps)
    x = node("Reshape", [x, cube], "last")
    weight = node("Unsqueeze", [node("Cast", ["mask"], "maskf", to=TensorProto.FLOAT), "axis2"], "weight")
    total = node("ReduceSum", [node("Mul", [x, weight], "masked"), "axis1"], "total", keepdims=0)
    norm = node("Max", [node("ReduceL2", [total], "norm0", axes=[1], keepdims=1),
                        const("tiny", np.array(1e-12, dtype=np.float32))], "norm")
    node("Div", [total, norm], "vectors")
    graph = helper.make_graph(
        nodes, "minilm",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("vectors", TensorProto.FLOAT, ["batch", dim])]
        + [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in extra],
        inits,
    )
    model = helper.make_model(graph, ir_version=9, producer_name="thresher",
                              opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    return bytes(model.SerializeToString())


def calibrate(weights: dict[str, F32], config: dict[str, Any], *, sequences: int = 200, seed: int = 0) -> dict[str, F32]:
    """Per channel of each activation that feeds an int8 product (``probe_names``), its minimum
    (``name:lo``) and maximum (``name:hi``), over
    ``sequences`` texts of random word pieces (seeded: the same numbers on every machine; no data
    set needed, and the outlier channels of BERT models show on any input): run in float32."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(build_graph(weights, config, probes=True), options,
                                   providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed)
    vocab = int(config["vocab_size"])
    names = probe_names(int(config["num_hidden_layers"]))
    top: dict[str, F32] = {}
    for _ in range(sequences):
        # [CLS] (101) and [SEP] (102) around 6-22 pieces from past the reserved and single-character ids
        ids = np.array([[101, *rng.integers(1996, vocab, int(rng.integers(6, 23))).tolist(), 102]], dtype=np.int64)
        found = session.run(names, {"ids": ids, "mask": np.ones_like(ids)})
        for name, value in zip(names, found, strict=True):
            rows = value.reshape(-1, value.shape[-1])
            for key, found_now, pick in ((name + ":lo", rows.min(axis=0), np.minimum),
                                         (name + ":hi", rows.max(axis=0), np.maximum)):
                top[key] = pick(top[key], found_now) if key in top else found_now
    return top


def cached_graph(model_dir: Path, cache_dir: Path | None, *, int8: Collection[str] = ()) -> bytes:
    """The serialised graph of the model in ``model_dir`` (calibrated when ``int8`` names any
    product): read from ``cache_dir`` when built there before, else built (and written there,
    atomically, when a ``cache_dir`` is given; see ``thresher.model_files.cached_file``). The file is
    named after the graph version, the int8 products and the weights' bytes."""
    salt = f"v{GRAPH_VERSION};int8={','.join(sorted(int8))};"
    name = f"minilm-{file_digest(model_dir / 'model.safetensors', salt)}.onnx"

    def build() -> bytes:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        weights = load_weights(model_dir)
        stats = calibrate(weights, config) if int8 else None
        return build_graph(weights, config, int8=int8, stats=stats)

    return cached_file(cache_dir, name, build)


class OnnxEncoder:
    """Unit sentence vectors of a BERT model directory (``model.safetensors``, ``config.json``,
    ``tokenizer.json``) through one ONNX Runtime session on ``threads`` threads."""

    def __init__(
        self, model_dir: Path, *, max_tokens: int, batch_tokens: int = 512, int8: Collection[str] = (),
        cache_dir: Path | None = None, threads: int = 1, graph: bytes | None = None,
    ) -> None:
        """``graph``: a serialised graph of this model (``build_graph``) to run instead of the
        cached one."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.max_tokens = max_tokens
        self.batch_tokens = batch_tokens
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        settings = json.loads((model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
        self.uncased = bool(settings.get("do_lower_case", False))
        self.dim = int(json.loads((model_dir / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        if graph is None:
            graph = cached_graph(model_dir, cache_dir, int8=int8)
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> F32:
        """One unit vector per text (rows in the order of ``texts``)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for rows, batch, mask in padded_batches(self.token_ids(texts), self.batch_tokens):
            out[rows] = self.session.run(None, {"ids": batch, "mask": mask})[0]
        return out
