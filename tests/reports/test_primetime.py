"""Prime time on synthetic histories whose answer is known, and the honest "not enough data"."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from smguard.reports.primetime import Sample, engagement_grid, prime_time

JAKARTA = "Asia/Jakarta"  # UTC+7


def history(hours: dict[int, float], days: int = 60, seed: int = 3) -> list[Sample]:
    """One post a day at each local hour in ``hours``; engagement around the hour's mean."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    out = []
    for day in range(days):
        for hour, mean in hours.items():
            local_midnight = start + timedelta(days=day) - timedelta(hours=7)
            at = local_midnight + timedelta(hours=hour, minutes=rng.randrange(60))
            out.append(Sample(at, max(0, round(rng.gauss(mean, mean * 0.3)))))
    return out


def test_the_best_evening_hour_is_recommended_with_its_evidence() -> None:
    samples = history({7: 20, 12: 22, 15: 10, 19: 80})
    found = prime_time(
        "kem",
        samples,
        JAKARTA,
        window_days=90,
        min_posts=30,
        min_per_hour=4,
        configured=("07:00", "12:00"),
    )
    assert found.status == "recommended"
    assert found.recommended == ("19:00",)
    (best,) = found.slots
    assert best.posts == 60 and 70 <= best.median <= 90 and best.lift > 2
    data = found.to_dict()
    assert data["sample_size"] == 240 and data["recommended"][0]["slot"] == "19:00"
    assert data["configured_prime_time"] == ["07:00", "12:00"]


def test_two_strong_hours_are_both_recommended_best_first() -> None:
    found = prime_time(
        "kem",
        history({8: 10, 12: 45, 19: 90, 22: 10}),
        JAKARTA,
        window_days=90,
        min_posts=30,
        min_per_hour=4,
    )
    assert found.recommended == ("19:00", "12:00")


def test_hours_follow_the_account_time_zone() -> None:
    # The same posts seen from Jayapura (UTC+9) happen two hours later on the clock.
    found = prime_time(
        "kem",
        history({7: 20, 19: 80}),
        "Asia/Jayapura",
        window_days=90,
        min_posts=30,
        min_per_hour=4,
    )
    assert found.recommended == ("21:00",)


def test_too_few_posts_is_not_enough_data() -> None:
    samples = history({7: 20, 19: 80}, days=10)  # 20 posts
    found = prime_time("kem", samples, JAKARTA, window_days=90, min_posts=30, min_per_hour=4)
    assert found.status == "not_enough_data" and found.recommended == ()
    assert found.posts == 20


def test_posts_at_a_single_hour_cannot_be_compared() -> None:
    found = prime_time(
        "kem", history({19: 80}), JAKARTA, window_days=90, min_posts=30, min_per_hour=4
    )
    assert found.status == "not_enough_data"


def test_no_hour_stands_out_when_every_hour_does_alike() -> None:
    found = prime_time(
        "kem",
        history({7: 30, 12: 30, 19: 30}),
        JAKARTA,
        window_days=90,
        min_posts=30,
        min_per_hour=4,
    )
    assert found.status == "no_clear_difference" and found.recommended == ()


def test_one_viral_post_does_not_make_an_hour_prime_time() -> None:
    samples = history({7: 20, 12: 20, 19: 20})
    viral = samples[1]  # a post at 12:xx
    samples[1] = Sample(viral.published_at, 50_000)
    found = prime_time("kem", samples, JAKARTA, window_days=90, min_posts=30, min_per_hour=4)
    assert found.status == "no_clear_difference"


def test_engagement_grid_counts_and_averages_by_local_weekday_and_hour() -> None:
    monday_19 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # 19:00 WIB, a Monday
    grid = engagement_grid("kem", [Sample(monday_19, 10), Sample(monday_19, 30)], JAKARTA)
    assert grid.posts[0][19] == 2 and grid.mean[0][19] == 20
    assert grid.total == 2 and grid.mean[1][19] is None
