"""Gradient-boosted trees (a LightGBM text dump) evaluated with numpy: no lightgbm import at run time.

Both learned classifiers (HTML blocks, text blocks) ship LightGBM models trained by the scripts in
training/; loading lightgbm costs seconds per process, walking the trees with numpy does not.
"""

from __future__ import annotations

import numpy as np


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
        if len(x) > batch:
            return np.concatenate([self._predict(x[i:i + batch]) for i in range(0, len(x), batch)])
        return self._predict(x)

    def _predict(self, x: np.ndarray) -> np.ndarray:
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
        return np.asarray(1.0 / (1.0 + np.exp(-self.sigmoid * raw)), dtype=np.float64)
