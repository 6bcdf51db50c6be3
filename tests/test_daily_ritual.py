"""The daily ritual: today's prompt in the couple's own day, and a daily reminder they opt into by voice.

The skill runs against a local HTTP stand-in for the Alexa service APIs (the request's apiEndpoint points at it),
so its real HTTP client meets real answers: time zones, reminders created, changed and deleted, 401 without the
permission, 5xx and timeouts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from closer.devtools.alexa_api_standin import AlexaApiStandIn, running
from closer.domain.catalogue import load_catalogue
from conftest import Clock, Couple

CATALOGUE = load_catalogue()
REMINDER_TEXT = "Time for today's appreciation. Say: Alexa, ask closer together for today's appreciation."


@pytest.fixture
def api() -> Iterator[AlexaApiStandIn]:
    with running(time_zone="America/Chicago", stall_seconds=1.5) as standin:
        yield standin


def time_zone_lookups(api: AlexaApiStandIn) -> int:
    return sum("/settings/System.timeZone" in c.path for c in api.calls)


def reminder_calls(api: AlexaApiStandIn) -> list[tuple[str, str]]:
    return [(c.method, c.path) for c in api.calls if "/alerts/reminders" in c.path]


def prompt_day(couple: Couple) -> str:
    record = couple.stored()
    assert record is not None
    day: str = record["prompts"][3]
    return day


# -- the couple's own day --

def test_the_time_zone_is_looked_up_at_the_start_of_a_session_and_cached_for_a_week(
        api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    couple.say("open closer together")
    couple.say("skip")
    couple.say("what exercises are there")
    assert time_zone_lookups(api) == 1
    assert couple.stored()["tz"][0] == "America/Chicago"
    assert all(c.token == "local-token" for c in api.calls)
    clock.advance(days=3)
    couple.say("ask closer together for today's prompt")
    assert time_zone_lookups(api) == 1  # cached on the household
    clock.advance(days=5)
    couple.say("ask closer together for today's prompt")
    assert time_zone_lookups(api) == 2  # a week on, looked up again


def test_kiritimati_and_pago_pago_each_get_their_own_date_at_the_same_instant(clock: Clock) -> None:
    # One instant: 00:30 on the 28th in Kiritimati, 23:30 on the 26th in Pago Pago.
    clock.now = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
    with running(time_zone="Pacific/Kiritimati") as east, running(time_zone="Pacific/Pago_Pago") as west:
        early, late = Couple(clock, api=east), Couple(clock, api=west)
        early.say("ask closer together for today's appreciation")
        late.say("ask closer together for today's appreciation")
    assert prompt_day(early) == "2026-11-28"
    assert prompt_day(late) == "2026-11-26"


def test_a_new_prompt_arrives_at_local_midnight_not_utc_midnight(clock: Clock) -> None:
    with running(time_zone="Pacific/Kiritimati") as api:
        couple = Couple(clock, api=api)
        clock.now = datetime(2026, 11, 27, 9, 58, tzinfo=UTC)  # 23:58 local
        couple.say("ask closer together for today's appreciation")
        before = couple.card["content"]
        clock.now = datetime(2026, 11, 27, 10, 2, tzinfo=UTC)  # 00:02 local, same UTC date
        couple.say("ask closer together for today's appreciation")
        assert couple.card["content"] != before
        clock.now = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # 13:00 local: the same local day
        couple.say("ask closer together for today's appreciation")
        assert prompt_day(couple) == "2026-11-28"


@pytest.mark.parametrize("fault", [500, 503, "timeout"])
def test_utc_when_the_time_zone_cannot_be_had_and_nothing_wrong_is_said(
        api: AlexaApiStandIn, clock: Clock, fault: int | str) -> None:
    clock.now = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # still the 27th in UTC, the 27th in Chicago too
    couple = Couple(clock, api=api)
    api.fail_next("time_zone", fault)
    said = couple.say("ask closer together for today's appreciation")
    assert couple.card is not None and couple.card["content"] in said
    assert "sorry" not in said.lower()
    assert prompt_day(couple) == "2026-11-27"
    assert "tz" not in couple.stored()
    couple.say("ask closer together for today's appreciation")  # the next session tries again
    assert couple.stored()["tz"][0] == "America/Chicago"


def test_a_year_of_daily_prompts_never_repeats_before_the_bank_is_heard(api: AlexaApiStandIn, clock: Clock) -> None:
    api.time_zone = "Pacific/Pago_Pago"
    couple = Couple(clock, api=api)
    heard: list[str] = []
    for _ in range(365):
        couple.say("ask closer together for today's appreciation")
        heard.append(couple.card["content"])
        clock.advance(days=1)
    size = len(CATALOGUE.prompts)
    for start in range(0, 365, size):
        cycle = heard[start:start + size]
        assert len(set(cycle)) == len(cycle)
    assert len(set(heard[:size])) == size


# -- the daily reminder --

def opt_in(couple: Couple, api: AlexaApiStandIn, status: str = "ACCEPTED") -> str:
    couple.say("open closer together")
    couple.say("skip")
    said = couple.say("remind us every evening at eight")
    assert "I need your permission" in said
    assert couple.alexa.consent is not None  # Alexa asks the couple itself
    scope = couple.alexa.consent["payload"]["permissionScopes"][0]
    assert scope == {"permissionScope": "alexa::alerts:reminders:skill:readwrite", "consentLevel": "ACCOUNT"}
    api.reminders_allowed = status == "ACCEPTED"
    couple.response = couple.alexa.answer_consent(status)
    return couple.speech


def test_opt_in_with_the_permission_creates_a_daily_reminder_in_the_devices_time_zone(
        api: AlexaApiStandIn, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)  # 13:30 in Chicago
    couple = Couple(clock, api=api)
    said = opt_in(couple, api)
    assert "Every day at 8 PM, I'll remind you" in said and couple.session_open
    posts = [c for c in api.calls if c.method == "POST"]
    assert reminder_calls(api) == [("POST", "/v1/alerts/reminders"), ("POST", "/v1/alerts/reminders")]
    assert posts[-1].body == {
        "requestTime": "2026-11-27T13:30:00.000",
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": "2026-11-27T20:00:00.000",
            "timeZoneId": "America/Chicago",
            "recurrence": {"startDateTime": "2026-11-27T20:00:00.000",
                           "recurrenceRules": ["FREQ=DAILY;BYHOUR=20;BYMINUTE=0;BYSECOND=0;INTERVAL=1;"]},
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": "en-US", "text": REMINDER_TEXT}]}},
        "pushNotification": {"status": "ENABLED"},
    }
    (token,) = api.reminders
    assert couple.stored()["reminder"] == [token, "20:00"]


def test_a_reminder_asked_for_after_its_time_today_starts_tomorrow(api: AlexaApiStandIn, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 21:00 on the 27th in Chicago
    couple = Couple(clock, api=api)
    opt_in(couple, api)
    body = [c for c in api.calls if c.method == "POST"][-1].body
    assert body["trigger"]["scheduledTime"] == "2026-11-28T20:00:00.000"


def test_denied_then_not_asked_again_for_a_week(api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    said = opt_in(couple, api, status="DENIED")
    assert "no reminder" in said and couple.session_open
    assert couple.stored()["reminder_denied_at"] == int(clock.now.timestamp())
    clock.advance(days=6)
    said = couple.say("ask closer together to remind us every evening at eight")
    assert couple.alexa.consent is None  # no permission request, no card
    assert "allow reminders for this skill in the Alexa app" in said
    assert couple.card is None
    clock.advance(days=2)
    couple.say("ask closer together to remind us every evening at eight")
    assert couple.alexa.consent is not None  # a week later, asking again is fine


def test_not_answering_the_permission_question_is_not_a_no(api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    assert "no reminder for now" in opt_in(couple, api, status="NOT_ANSWERED")
    assert "reminder_denied_at" not in couple.stored()


def test_change_the_time_then_cancel(api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    opt_in(couple, api)
    (token,) = api.reminders
    said = couple.say("change the reminder to nine thirty pm")
    assert "now at 9:30 PM" in said
    put = [c for c in api.calls if c.method == "PUT"]
    assert put[-1].path == f"/v1/alerts/reminders/{token}"
    assert put[-1].body["trigger"]["recurrence"]["recurrenceRules"] == \
        ["FREQ=DAILY;BYHOUR=21;BYMINUTE=30;BYSECOND=0;INTERVAL=1;"]
    assert couple.stored()["reminder"] == [token, "21:30"]
    said = couple.say("stop the daily reminder")
    assert "stopped the daily reminder" in said
    assert ("DELETE", f"/v1/alerts/reminders/{token}") in reminder_calls(api)
    assert api.reminders == {} and "reminder" not in couple.stored()
    calls = len(api.calls)
    assert "no daily reminder set" in couple.say("stop the daily reminder")
    assert len(api.calls) == calls  # nothing to delete, nothing asked of the service


def test_a_reminder_deleted_in_the_alexa_app_is_recreated_on_change(api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    opt_in(couple, api)
    api.reminders.clear()
    couple.say("change the reminder to seven pm")
    (token,) = api.reminders
    assert couple.stored()["reminder"] == [token, "19:00"]


@pytest.mark.parametrize("fault", [500, 502, "timeout"])
def test_a_failing_reminders_service_gets_a_kind_answer_and_changes_nothing(
        api: AlexaApiStandIn, clock: Clock, fault: int | str) -> None:
    couple = Couple(clock, api=api)
    couple.say("open closer together")
    couple.say("skip")
    api.reminders_allowed = True
    api.fail_next("reminders", fault)
    said = couple.say("remind us every morning at seven")
    assert "couldn't set the reminder just now" in said and couple.session_open
    assert "reminder" not in couple.stored() and api.reminders == {}
    said = couple.say("remind us every morning at seven")
    assert "Every day at 7 AM" in said


def test_a_failing_delete_keeps_the_reminder_on_record(api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    opt_in(couple, api)
    api.fail_next("reminders", 503)
    assert "couldn't reach your reminders" in couple.say("stop the daily reminder")
    assert "reminder" in couple.stored()


def test_no_reminder_at_a_guessed_hour_when_the_time_zone_is_unknown(api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    api.fail_next("time_zone", 500)
    api.reminders_allowed = True
    said = couple.say("ask closer together to remind us every evening at eight")
    assert "couldn't set the reminder just now" in said and not couple.session_open  # one-shot: answered, closed
    assert reminder_calls(api) == []


def test_a_time_is_asked_for_when_none_was_heard(api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    couple.say("open closer together")
    couple.say("skip")
    assert "What time each day" in couple.say("set a daily reminder")
    api.reminders_allowed = True
    assert "Every day at 8 PM" in couple.say("remind us every evening")


def test_the_reminder_speaks_the_couples_locale(clock: Clock) -> None:
    with running(time_zone="Europe/London", reminders_allowed=True) as api:
        couple = Couple(clock, api=api, locale="en-GB")
        couple.say("ask closer together to remind us every day at 7 30 pm")
        (body,) = api.reminders.values()
    assert body["alertInfo"]["spokenInfo"]["content"] == [{"locale": "en-GB", "text": REMINDER_TEXT}]
    assert body["trigger"]["timeZoneId"] == "Europe/London"


def test_a_permission_answer_out_of_nowhere_is_handled(api: AlexaApiStandIn, clock: Clock) -> None:
    couple = Couple(clock, api=api)
    couple.say("open closer together")
    response = couple.alexa.send({"type": "Connections.Response", "name": "AskFor",
                                  "status": {"code": "200", "message": "OK"},
                                  "payload": {"status": "ACCEPTED"}, "token": "something-else"})
    couple.response = response
    assert "no reminder for now" in couple.speech and couple.session_open
    assert reminder_calls(api) == []
