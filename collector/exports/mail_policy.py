"""How reminder e-mails are written out: the SMTP policy, with one repair.

CPython's header folder (3.11) splits non-ASCII text into encoded words and puts the space
between two words in the folding whitespace between them, which RFC 2047 (section 6.2) says
a reader drops: "Sở Xây dựng" arrives as "Sở Xâydựng", a display name as "Phòn g". Subjects
and display names with such text are therefore encoded by `email.header.Header`, which keeps
every space inside an encoded word.
"""

from __future__ import annotations

from email.header import Header
from email.policy import EmailPolicy

CHARSET = "utf-8"


class ReminderPolicy(EmailPolicy):
    """`email.policy.SMTP`, with Subject and address headers folded as above."""

    def _fold(self, name, value, refold_binary=False):
        text = str(value)
        if text.isascii():
            return super()._fold(name, value, refold_binary)
        if hasattr(value, "addresses"):
            encoded = f",{self.linesep} ".join(
                (
                    self._words(address.display_name, name) + f"{self.linesep} "
                    if address.display_name
                    else ""
                )
                + f"<{address.addr_spec}>"
                for address in value.addresses
            )
        else:
            encoded = self._words(text, name)
        return f"{name}: {encoded}{self.linesep}"

    def _words(self, text, name):
        return Header(text, CHARSET, header_name=name).encode(
            linesep=self.linesep, maxlinelen=self.max_line_length
        )


SMTP = ReminderPolicy(linesep="\r\n")
