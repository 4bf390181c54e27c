"""Shared texts and builders for the reader tests."""

from __future__ import annotations

import pytest

from thresher.testing.adversarial import warc_record

__all__ = ["warc_record"]  # the one WARC record builder, shared with the adversarial corpus

RUSSIAN = """Москва — столица России, крупнейший по численности населения город страны и её политический, \
экономический и культурный центр.

Город расположен на реке Москве в центре Восточно-Европейской равнины. Впервые упоминается в летописях \
под 1147 годом.

В городе находятся высшие органы государственной власти, многие музеи, театры и университеты."""

JAPANESE = """東京は日本の首都であり、世界でも有数の大都市です。人口は約千四百万人で、政治、経済、文化の中心地となっています。

江戸時代には徳川幕府が置かれ、明治維新の後に東京と改称されました。

現在では多くの観光客が訪れ、伝統と現代が共存する街として知られています。"""

CHINESE = """北京是中华人民共和国的首都，也是全国的政治中心和文化中心。北京有着三千多年的建城史。

故宫、长城和天坛都是著名的名胜古迹，每年吸引大量游客前来参观。

现代的北京是一座国际化大都市，交通发达，经济繁荣。"""

FRENCH = """L'été dernier, nous sommes allés à la mer. Le soleil brillait, les enfants jouaient près de l'eau \
et les mouettes planaient au-dessus des vagues.

Après le déjeuner, nous avons marché jusqu'au phare. La vue était magnifique : des kilomètres de côte, \
des falaises et des petits villages de pêcheurs."""


@pytest.fixture
def texts() -> dict[str, str]:
    return {"ru": RUSSIAN, "ja": JAPANESE, "zh": CHINESE, "fr": FRENCH}


def http_response(body: bytes, headers: list[tuple[str, str]], status: str = "200 OK") -> bytes:
    head = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def warc_file(records: list[bytes], *, gz: bool) -> bytes:
    """Records joined as a WARC file; gzipped files get one gzip member per record, as crawlers write."""
    if not gz:
        return b"".join(records)
    import gzip

    return b"".join(gzip.compress(r, mtime=0) for r in records)
