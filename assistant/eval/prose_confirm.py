"""The prose shopper's yes or no to a proposed change: yes only when the summary is the change
its request asks for.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.eval.prose_phrases import (
    BACK_HOME,
    RELATIVE,
    SAME,
    SUMMARY_VERBS,
    WANTS_ALL,
    kept_things,
)
from assistant.eval.prose_state import ProseState
from assistant.eval.replies import ask_detail
from assistant.eval.scenario import Request, kinds_in
from assistant.eval.shopper_words import (
    GENERIC,
    asked_and_kept,
    changed_values,
    clauses_about,
    goes_as_said,
    names_match,
    new_values,
    summary_items,
    words,
)


class Confirmation(ProseState):
    """Yes or no to a summary, from what its request and scenario say."""

    def _confirm(self, request: Request, summary: str) -> str:
        """Yes only when the summary is the change the request asks for."""
        # Said at the confirmation of the request it is about (any, if none is marked).
        about_this = request.on_confirm or not any(r.on_confirm for r in self.scenario.requests)
        if self.scenario.on_confirm and not self.on_confirm_said and about_this:
            self.on_confirm_said = True
            # "I'd prefer the other card": the one it then confirms, it keeps using.
            self.switching_card = bool(re.search(r"\b(card|payment)\b", self.scenario.on_confirm))
            if re.search(r"\balso\b", self.scenario.on_confirm) and self.request is not None:
                # "... because I also want to return the smart watch": part of the request now.
                self.request = replace(
                    self.request, text=f"{self.request.text}. {self.scenario.on_confirm}"
                )
            return f"No, {self.scenario.on_confirm[:1].lower()}{self.scenario.on_confirm[1:]}."
        if request.kind == "info":
            return "No, I only wanted to know."
        later = [r for r in self.pending if r.kind in ("order_address", "payment")]
        if "changed again afterwards" in summary.lower() and later and not self.reordered:
            # Nothing can change after this: the other change it wants comes first.
            self.reordered = True
            self.pending.remove(later[0])
            self.pending[:0] = [later[0], request]
            return "No, not yet: I have another change to make first."
        numbers = set(re.findall(r"#W\d{7}", summary))
        if self.all_repeats and numbers and numbers <= self.done_orders:
            # The same change again, for an order it has already done.
            return "No, that one is done already."
        lowered = summary.lower()
        # The verbs of every kind of change the request speaks of ("the orders' address,
        # along with my default address").
        verbs = tuple(
            verb for kind in kinds_in(request.text) for verb in SUMMARY_VERBS.get(kind, ())
        ) or SUMMARY_VERBS.get(request.kind, ())
        if verbs and not any(v in lowered for v in verbs):
            return "No, that's not what I asked for."
        asked, kept = asked_and_kept(request.text)
        wants_all = WANTS_ALL.search(request.text.lower()) or self._cancels_whole(request)
        known, excluding = kept_things(request)
        if known and excluding:
            kept, wants_all = kept | words(" ".join(known)), True
        elif known:
            asked, wants_all = words(" ".join(known)), False
        unwanted = [
            name for name in summary_items(summary)
            if names_match(name, kept) or not (wants_all or names_match(name, asked))
        ]  # fmt: skip
        its_item = r"\b(?:its|(?:my|the)(?: pending)? order(?:'s)?) items?\b"
        if re.search(its_item, request.text.lower()):
            # "Change its item color to red": whichever item the order has.
            unwanted = [name for name in unwanted if names_match(name, kept)]
        wanted = [name for name in summary_items(summary) if name not in unwanted]
        if len(unwanted) > 1 and wanted:
            # Several it did not ask for: it says what it wants.
            return f"No, only the {' and the '.join(dict.fromkeys(wanted))}."
        if unwanted:
            return f"No, I don't want that for the {unwanted[0]}."
        for number in re.findall(r"#W\d{7}", summary):
            if request.order_ids and number not in request.order_ids:
                return f"No, I meant order {request.order_ids[0]}."
        said = words(self.scenario.text)
        relative = RELATIVE.search(request.text.lower()) is not None
        compared = {
            (option, new)
            for option, old, new in changed_values(summary)
            if goes_as_said(request.text, old, new)
        }
        old_values = {option: old for option, old, _ in changed_values(summary)}
        for line in summary.splitlines():
            part = clauses_about(request.text, line[2:].split(":")[0]) if line[:2] == "• " else ""
            for _option, old, new in changed_values(line) if part else ():
                if goes_as_said(part, new, old) and not goes_as_said(part, old, new):
                    # "A shorter one", and the new one is longer.
                    return f"No, I didn't ask for {new}."
        for option, value in new_values(summary):
            # A new option it never spoke of is taken as what the store has, unless it
            # asked to keep that option or named the old value (a person checks what they
            # asked for); "none" only when it said "no <option>" or never spoke of it.
            if value == "none":
                spoken = re.search(rf"\bno {re.escape(option)}", self.scenario.lowered) is not None
            else:
                spoken = bool((words(value) - GENERIC) & said) or (option, value) in compared
            if relative or spoken:
                continue
            if self._keeps(option, old_values.get(option, "")):
                return f"No, I didn't ask for {value}."
        if request.kind in ("order_address", "default_address"):
            places = self._target_places()
            shown = ask_detail(summary, r"(?:to|address to): (.+)") or ""
            back = BACK_HOME.search(request.text.lower())
            full = None if back else self.scenario.address_text()
            if full and full.split()[0] not in shown:
                return f"No, the address is {full}."
            same_as = re.search(r"\bsame as (?:the )?order\b", request.text.lower())
            if (
                not full
                and places
                and not same_as
                and not back
                and not any(p in shown.lower() for p in places)
            ):
                return "No, that's not the address I meant."
        if self.switching_card:
            paid = re.search(r"(?:to|with) your (.+?)(?: \(balance|\.|$)", summary, re.MULTILINE)
            self.paid_with, self.switching_card = (paid.group(1) if paid else ""), False
        return "Yes, please go ahead."

    def _cancels_whole(self, request: Request) -> bool:
        """Whether a cancellation is of the whole order: named by its number, or the
        scenario says to cancel the whole order (not "tell the agent not to")."""
        if request.kind != "cancel":
            return False
        whole = re.search(r"\bcancel\w* (?:the )?(?:whole|entire) order\b", self.scenario.lowered)
        return bool(request.order_ids) or (whole is not None and not self._keeps_whole_order())

    def _keeps(self, option: str, old: str) -> bool:
        """Whether the scenario wants the option left as it is: "same size", or the old
        value named ("clicky, RGB backlight")."""
        lowered = self.scenario.lowered
        names = {option.lower(), option.lower().split()[0]} if option else set()
        if any(re.search(SAME.format(option=re.escape(name)), lowered) for name in names):
            return True
        if re.search(r"\bother (?:specs|specifications|options|features)\b[^.]*\bsame\b", lowered):
            return True
        old_words = words(old) - GENERIC - {"none", "yes", "no"}
        return bool(old_words) and old_words <= words(lowered)
