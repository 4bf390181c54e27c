"""Corpus deduplication: exact and near-duplicate documents, and repeated site boilerplate.

Pure functions over texts (no I/O). ``deduplicate`` runs everything in one process; the building
blocks (``exact_key``, ``signature``, ``band_keys``, ``shingles``, ``similarity``,
``group_duplicates``, ``line_keys``) let a distributed engine run the same steps as shuffles.
"""

from thresher.dedup.boilerplate import BoilerplateRecord, find_boilerplate, line_keys, strip_boilerplate
from thresher.dedup.corpus import DedupResult, DedupStats, deduplicate
from thresher.dedup.exact import exact_groups, exact_key
from thresher.dedup.groups import Grouping, group_duplicates, survivor
from thresher.dedup.lsh import band_keys, band_keys_matrix, candidate_pairs, optimal_bands
from thresher.dedup.minhash import Permutations, estimated_jaccard, shingles, signature, signatures
from thresher.dedup.normalise import tokens
from thresher.dedup.options import DedupMode, DedupOptions
from thresher.dedup.verify import Measure, containment, jaccard, similarity, verify_pairs

__all__ = [
    "BoilerplateRecord",
    "DedupMode",
    "DedupOptions",
    "DedupResult",
    "DedupStats",
    "Grouping",
    "Measure",
    "Permutations",
    "band_keys",
    "band_keys_matrix",
    "candidate_pairs",
    "containment",
    "deduplicate",
    "estimated_jaccard",
    "exact_groups",
    "exact_key",
    "find_boilerplate",
    "group_duplicates",
    "jaccard",
    "line_keys",
    "optimal_bands",
    "shingles",
    "signature",
    "signatures",
    "similarity",
    "strip_boilerplate",
    "survivor",
    "tokens",
    "verify_pairs",
]
