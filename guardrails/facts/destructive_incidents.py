"""The incidents behind the destructive-operation rules (facts checked in LESSONS.md)."""

from __future__ import annotations

from guardrails.model import Incident

GITLAB_2017 = Incident(
    "GitLab.com: the primary's PostgreSQL data directory wiped instead of the secondary's, 6 h of data lost",
    "2017-01-31",
    "https://about.gitlab.com/blog/2017/02/10/postmortem-of-database-outage-of-january-31/",
)
DIGITALOCEAN_2017 = Incident(
    "DigitalOcean: a test process holding production credentials deleted the primary database",
    "2017-04-05",
    "https://www.digitalocean.com/company/blog/update-on-the-april-5th-2017-outage/",
)
AWS_ELB_2012 = Incident(
    "AWS ELB: a maintenance process run against production deleted ELB state data",
    "2012-12-24",
    "https://aws.amazon.com/message/680587/",
)
STEAM_2015 = Incident(
    'Steam for Linux: rm -rf "$STEAMROOT/"* with an empty variable deleted a user\'s files',
    "2015-01",
    "https://github.com/ValveSoftware/steam-for-linux/issues/3671",
)
NEWSBLUR_2021 = Incident(
    "NewsBlur: an exposed MongoDB dropped with dropDatabase",
    "2021-06-23",
    "https://blog.newsblur.com/2021/06/28/story-of-a-hacking/",
)
