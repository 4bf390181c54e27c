"""Gradient-boosted trees (a LightGBM text dump) evaluated with numpy, or with the small C extension
built from _speedups.c when it is there: no lightgbm import at run time.

Both learned classifiers (HTML blocks, text blocks) ship LightGBM models trained by the scripts in
training/; loading lightgbm costs seconds per process, walking the trees with numpy does not.
"""

from __future__ import annotations

import numpy as np

from thresher.compiled import extension

_compiled = extension()


class Trees:
    """A LightGBM binary model (its text dump) evaluated with numpy: no lightgbm import at run time.

    Every tree is walked at once, one level per step, over a flat node table (leaves loop onto
    themselves). Numerical splits only, with LightGBM's missing-value rules: NaN counts as 0 unless
    the split has a NaN branch; the default branch takes missing (NaN) or zero values as marked.
    """

    def __init__(self, dump: str) -> None:
        header, _, body = dump.partition("\nTree=")
        sigmoid = 1.0
        for line in header.splitlines():
            if line.startswith("objective="):
                for part in line.split()[1:]:
                    if part.startswith("sigmoid:"):
                        sigmoid = float(part.split(":", 1)[1])
        self.sigmoid = sigmoid
        feat: list[int] = []
        thr: list[float] = []
        dtype: list[int] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        roots: list[int] = []
        for chunk in ("Tree=" + body).split("\nTree=")[0:]:
            fields = dict(line.split("=", 1) for line in chunk.splitlines() if "=" in line)
            if "leaf_value" not in fields:
                continue
            if int(fields.get("num_cat", "0")):
                raise ValueError("categorical splits are not supported")
            leaves = [float(v) for v in fields["leaf_value"].split()]
            n_inner = int(fields["num_leaves"]) - 1
            base = len(feat)  # this tree's internal nodes first, then its leaves
            leaf_base = base + n_inner

            def node(child: int, base: int = base, leaf_base: int = leaf_base) -> int:
                return base + child if child >= 0 else leaf_base + (-child - 1)

            if n_inner:
                feat += [int(v) for v in fields["split_feature"].split()]
                thr += [float(v) for v in fields["threshold"].split()]
                dtype += [int(v) for v in fields["decision_type"].split()]
                left += [node(int(v)) for v in fields["left_child"].split()]
                right += [node(int(v)) for v in fields["right_child"].split()]
                value += [0.0] * n_inner
            for j, v in enumerate(leaves):
                feat.append(0)
                thr.append(0.0)
                dtype.append(0)
                left.append(leaf_base + j)
                right.append(leaf_base + j)
                value.append(v)
            roots.append(base)
        types = np.array(dtype, dtype=np.int64)
        if (types & 1).any():
            raise ValueError("categorical splits are not supported")
        self.feat = np.array(feat, dtype=np.int64)
        self.thr = np.array(thr, dtype=np.float64)
        self.default_left = (types & 2) > 0
        self.missing = (types >> 2) & 3  # 0 none, 1 zero, 2 NaN
        self.left = np.array(left, dtype=np.int64)
        self.right = np.array(right, dtype=np.int64)
        self.value = np.array(value, dtype=np.float64)
        self.roots = np.array(roots, dtype=np.int64)
        self.depth = self._max_depth()
        self.has_nan_branch = bool((self.missing == 2).any())
        self.has_missing_rule = bool((self.missing != 0).any())
        self._paired_layout()

    def _paired_layout(self) -> None:
        """A second copy of the node table for models without missing-value rules, the common case:
        nodes renumbered tree by tree so that a node's children are neighbours (right = left + 1),
        leaves looping onto themselves behind an infinite threshold, so one step of the walk is
        ``node = left[node] + (x[feature[node]] > threshold[node])``."""
        is_leaf = self.left == np.arange(len(self.left))
        order: list[int] = []
        new_id = np.full(len(self.left), -1, dtype=np.int64)
        lefts, rights = self.left.tolist(), self.right.tolist()
        leaf = is_leaf.tolist()
        for root in self.roots.tolist():
            new_id[root] = len(order)
            order.append(root)
            queue = [root]
            for node in queue:  # breadth first: children get consecutive numbers
                if not leaf[node]:
                    for child in (lefts[node], rights[node]):
                        new_id[child] = len(order)
                        order.append(child)
                        queue.append(child)
        old = np.array(order, dtype=np.int64)
        self.p_leaf = is_leaf[old]
        self.p_feat = np.where(self.p_leaf, 0, self.feat[old])
        self.p_left = np.where(self.p_leaf, np.arange(len(old)), new_id[self.left[old]])
        self.p_thr64 = np.where(self.p_leaf, np.inf, self.thr[old])
        with np.errstate(over="ignore"):
            thr32 = self.p_thr64.astype(np.float32)
        above = thr32.astype(np.float64) > self.p_thr64
        # for a float32 x, ``x <= t`` is ``x <= t32`` with t32 the largest float32 not above t
        thr32[above] = np.nextafter(thr32[above], np.float32(-np.inf))
        self.p_thr32 = thr32
        self.p_value = self.value[old]
        self.p_roots = new_id[self.roots]
        depth = np.zeros(len(old), dtype=np.int64)
        inner = np.flatnonzero(~self.p_leaf)  # parents come before their children
        for node, child in zip(inner.tolist(), self.p_left[inner].tolist(), strict=True):
            depth[child] = depth[child + 1] = depth[node] + 1
        self.p_depth = depth
        """Depth of each node: the walk step at which a (row, tree) pair reaching that leaf stops."""
        # the same table in the C walk's types (its node indices fit in int32)
        self.c_table = (
            np.ascontiguousarray(self.p_feat, dtype=np.int32),
            np.ascontiguousarray(self.p_left, dtype=np.int32),
            np.ascontiguousarray(self.p_leaf, dtype=np.uint8),
            np.ascontiguousarray(depth, dtype=np.int32),
            np.ascontiguousarray(self.p_value, dtype=np.float64),
            np.ascontiguousarray(self.p_roots, dtype=np.int32),
        )
        self.c_prepared = self._prepare_compiled()
        """The C walk's own copy of ``c_table``, checked once here (None: the checked ``walk``)."""

    def _prepare_compiled(self) -> object | None:
        """The node table handed to the C extension once (``walk_table`` checks it and keeps a copy),
        so each walk skips the checks; None without the extension or for a table it cannot take."""
        prepare = getattr(_compiled, "walk_table", None)
        if prepare is None or not len(self.p_roots):
            return None
        feat, left, leaf, depth, value, roots = self.c_table
        return prepare(np.ascontiguousarray(self.p_thr32), np.ascontiguousarray(self.p_thr64),
                       feat, left, leaf, depth, value, roots)

    def _max_depth(self) -> int:
        depth, frontier = 0, self.roots
        while True:
            inner = frontier[self.left[frontier] != frontier]
            if not len(inner):
                return depth
            depth += 1
            frontier = np.concatenate([self.left[inner], self.right[inner]])

    def predict(self, x: np.ndarray, batch: int = 2048) -> np.ndarray:
        """Probabilities for the rows of ``x`` (float32 or float64, NaN for missing), in batches of
        rows so memory stays bounded whatever the page size (rows are independent: same numbers)."""
        if (_compiled is not None and self.c_prepared is not None and type(x) is np.ndarray and x.dtype == np.float32 and x.ndim == 2
                and 0 < len(x) <= batch and x.shape[1] and x.flags.c_contiguous and not self.has_missing_rule):
            # the common case straight to the C walk (what _predict would reach through four calls)
            raw = np.zeros(len(x), dtype=np.float64)
            _compiled.walk_prepared(self.c_prepared, x, x.shape[1], raw)
            return self._sigmoid(raw)
        if len(x) > batch:
            return np.concatenate([self._predict(x[i:i + batch]) for i in range(0, len(x), batch)])
        return self._predict(x)

    def _predict(self, x: np.ndarray) -> np.ndarray:
        if not self.has_missing_rule and len(x):
            return self._walk_paired(x)
        return self._walk(x)

    def _walk(self, x: np.ndarray) -> np.ndarray:
        """The general walk: any model, missing-value rules included."""
        x = np.asarray(x, dtype=np.float64)
        n_rows, n_trees = len(x), len(self.roots)
        raw = np.zeros(n_rows, dtype=np.float64)
        if not n_rows:
            return raw
        has_nan_branch = self.has_nan_branch
        if not has_nan_branch:  # NaN then always reads as 0
            x = np.where(np.isnan(x), 0.0, x)
        width = x.shape[1]
        flat = x.ravel()
        # (row, tree) pairs still inside a tree; finished pairs add their leaf value to the row.
        row = np.repeat(np.arange(n_rows), n_trees)
        node = np.tile(self.roots, n_rows)
        while len(node):
            at_leaf = self.left[node] == node
            if at_leaf.any():
                raw += np.bincount(row[at_leaf], self.value[node[at_leaf]], minlength=n_rows)
                inner = ~at_leaf
                row, node = row[inner], node[inner]
                if not len(node):
                    break
            v = flat[row * width + self.feat[node]]
            if self.has_missing_rule:
                nan = np.isnan(v)
                missing = self.missing[node]
                v = np.where(nan & (missing != 2), 0.0, v)
                default = ((missing == 1) & (np.abs(v) <= 1e-35)) | ((missing == 2) & nan)
                go_left = np.where(default, self.default_left[node], v <= self.thr[node])
            else:
                go_left = v <= self.thr[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return self._sigmoid(raw)

    def _walk_paired(self, x: np.ndarray) -> np.ndarray:
        """The walk over the paired layout (no missing-value rules: NaN reads as 0): in C when the
        extension is built, else with numpy; both give the same numbers to the last bit."""
        if _compiled is not None and len(x) and len(self.p_roots) and np.ndim(x) == 2 and np.shape(x)[1]:
            return self._walk_compiled(x)
        return self._walk_paired_numpy(x)

    def _paired_input(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows as float32 or float64, and the thresholds of the same precision."""
        x = np.asarray(x)
        if x.dtype == np.float32:
            return x, self.p_thr32
        return x.astype(np.float64, copy=False), self.p_thr64

    def _walk_compiled(self, x: np.ndarray) -> np.ndarray:
        """The paired walk in C (thresher/_speedups.c): tree by tree over blocks of rows, leaf
        values summed per row in the numpy walk's order (by depth, then tree)."""
        x, thr = self._paired_input(x)
        x = np.ascontiguousarray(x)
        raw = np.zeros(len(x), dtype=np.float64)
        assert _compiled is not None
        if self.c_prepared is not None:  # checked once at load time
            _compiled.walk_prepared(self.c_prepared, x, x.shape[1], raw)
        else:
            _compiled.walk(x, x.shape[1], np.ascontiguousarray(thr), *self.c_table, raw)
        return self._sigmoid(raw)

    def _walk_paired_numpy(self, x: np.ndarray) -> np.ndarray:
        """The paired walk with numpy. Finished pairs are dropped every few steps; leaf values are
        summed in the same order as ``_walk`` (by depth, then row and tree), so both give the same
        numbers to the last bit."""
        x, thr = self._paired_input(x)
        x = np.where(np.isnan(x), x.dtype.type(0), x)
        n_rows, width = x.shape
        n_trees = len(self.p_roots)
        flat = x.ravel()
        feat, left, leaf = self.p_feat, self.p_left, self.p_leaf
        pos = np.repeat(np.arange(n_rows, dtype=np.int64) * width, n_trees)
        node = np.tile(self.p_roots, n_rows)
        final = np.empty(len(node), dtype=np.int64)
        slot = np.arange(len(node))  # where each live pair's leaf goes in ``final``
        for step in range(self.depth):
            if step in _COMPACT_AT:
                done = leaf[node]
                final[slot[done]] = node[done]
                live = ~done
                node, pos, slot = node[live], pos[live], slot[live]
                if not len(node):
                    break
            node = left[node] + (flat[pos + feat[node]] > thr[node])
        final[slot] = node
        depth = self.p_depth[final]
        order = np.argsort(depth, kind="stable")
        rows = order // n_trees
        values = self.p_value[final[order]]
        cuts = np.flatnonzero(np.diff(depth[order])) + 1
        raw = np.zeros(n_rows, dtype=np.float64)
        for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(order)], strict=True):
            raw += np.bincount(rows[a:b], values[a:b], minlength=n_rows)
        return self._sigmoid(raw)

    def _sigmoid(self, raw: np.ndarray) -> np.ndarray:
        """``1 / (1 + exp(-sigmoid * raw))`` in one float64 array, computed in place (the same
        elementwise operations: the same numbers)."""
        z = np.multiply(np.asarray(raw, dtype=np.float64), -self.sigmoid)
        np.exp(z, out=z)
        np.add(z, 1.0, out=z)
        return np.divide(1.0, z, out=z)


_COMPACT_AT = frozenset({6, 10, 14})
"""Walk steps at which finished (row, tree) pairs are dropped (most leaves of gradient-boosted
trees sit a handful of levels down)."""
