"""Migration 4: each webinar's time zone, and each registrant's language and return link.

- `webinars.time_zone`: the IANA zone its sessions are planned in (`Europe/Paris`).
  Sessions stay stored in UTC. Webinars written before were typed in UTC, so they keep
  `UTC` and read as before.
- `registrants.language`: the language the person registered in (`en`, `fr`); their
  e-mails are written in it. Earlier registrants registered in English.
- `registrants.return_token`: a random secret in the link that brings the person back
  to their confirmation; earlier registrants have none (NULL).
"""

import duckdb

NAME = "webinar time zones, registrant languages and return links"


def apply(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("ALTER TABLE webinars ADD COLUMN time_zone VARCHAR NOT NULL DEFAULT 'UTC'")
    con.execute("ALTER TABLE registrants ADD COLUMN language VARCHAR NOT NULL DEFAULT 'en'")
    con.execute("ALTER TABLE registrants ADD COLUMN return_token VARCHAR")
