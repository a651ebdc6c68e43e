"""Child process for crash tests: writes forever, printing each acknowledged write."""

import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.store.database import Store
from core.store.records import Binding, Event, Membership, Person

SHANGHAI = ZoneInfo("Asia/Shanghai")


def main(data_dir: str) -> None:
    store = Store(Path(data_dir), SHANGHAI)
    start = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    index = 0
    while True:
        at = start + timedelta(minutes=index)
        store.record_event(Event("answer", "office", at, index, {"n": index}))
        person = Person(index, f"成员{index}").with_membership(Membership("office", True, at))
        store.save_person(person)
        store.bind(Binding("office", -1000 - index, f"群{index}", at))
        print(index, flush=True)  # acknowledged: all three writes returned
        index += 1


if __name__ == "__main__":
    main(sys.argv[1])
