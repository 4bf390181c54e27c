import json
from pathlib import Path

import pytest

from thresher.stories import Item

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stories"


@pytest.fixture(scope="session")
def ticker() -> tuple[list[Item], dict[str, str]]:
    data = json.loads((FIXTURES / "ticker-overlapping-stories.json").read_text(encoding="utf-8"))
    items = [Item(id=f"t{k:03d}", headline=it["headline"]) for k, it in enumerate(data["items"])]
    gold = {f"t{k:03d}": it["story"] for k, it in enumerate(data["items"])}
    return items, gold
