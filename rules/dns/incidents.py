"""The DNS incidents the rules of this lesson cite (URLs from LESSONS.md, sections A and F)."""

from __future__ import annotations

from guardrails.model import Incident

FACEBOOK_2021 = Incident(
    "Facebook: authoritative DNS withdrew itself, cached records expired, resolvers answered SERVFAIL for hours",
    "2021-10-04",
    "https://engineering.fb.com/2021/10/05/networking-traffic/outage-details/",
)
CLOUDFLARE_SERVFAIL_2021 = Incident(
    "Public resolvers returned and cached SERVFAIL for facebook.com once its records expired",
    "2021-10-04",
    "https://blog.cloudflare.com/october-2021-facebook-outage/",
)
DYN_2016 = Incident(
    "Dyn DDoS: sites that used Dyn as their only DNS provider became unresolvable",
    "2016-10-21",
    "https://www.dynstatus.com/incidents/5r9mppc1kb77",
)
SLACK_2021 = Incident(
    "Slack DNSSEC rollout: slack.com unresolvable for some users, and the status page with it",
    "2021-09-30",
    "https://slack.engineering/what-happened-during-slacks-dnssec-rollout/",
)
SLACK_STATUS_2021 = Incident(
    "Slack's status page was down due to the same DNS issue",
    "2021-09-30",
    "https://www.catchpoint.com/blog/incident-review-slack-outage-impacts-a-subset-of-users-worldwide-due-to-dns-issue",
)
AWS_S3_2017 = Incident(
    "AWS S3 outage: the status dashboard, hosted on S3, could not be updated",
    "2017-02-28",
    "https://catchpoint.com/blog/aws-s3-outage-2017",
)
