{#- The city's clock: floating timestamps are America/Chicago wall-clock times, and a duration
    is measured between the UTC instants they stand for, never between two wall-clock
    readings, which are an hour off across a daylight-saving change.

    DuckDB's ICU time zones do the reading. A wall-clock time in the hour that repeats when
    clocks fall back (01:00-01:59 on the first Sunday of November) stands for two instants:
    ICU's `timezone()` gives the second (standard time, CST); the same wall-clock time an
    hour earlier, read and put an hour later, gives the first (daylight time, CDT). Anywhere
    else the two readings are one instant. A time in the hour skipped when clocks spring
    forward (02:00-02:59 on the second Sunday of March, which no clock shows) is read with
    the offset in force before the change, as ICU and Python's zoneinfo (fold=0) read it:
    02:30 is 08:30 UTC, the instant a clock not yet put forward shows as 02:30. -#}
{% macro city_time_zone() -%}
    'America/Chicago'
{%- endmacro %}

{#- The UTC instant (a timestamp without zone) of a local time, read as its first
    occurrence when it falls in the repeated hour. -#}
{% macro first_reading_utc(local) -%}
    timezone('UTC', least(
        timezone({{ city_time_zone() }}, {{ local }}),
        timezone({{ city_time_zone() }}, {{ local }} - interval 1 hour) + interval 1 hour
    ))
{%- endmacro %}

{#- The UTC instant of a local time, read as its second occurrence when it falls in the
    repeated hour (the first reading's instant an hour later there, the same elsewhere). -#}
{% macro second_reading_utc(local) -%}
    timezone('UTC', timezone({{ city_time_zone() }}, {{ local }}))
{%- endmacro %}

{#- The UTC instant of a local time of a record, resolved by the record's own order: its first
    reading, unless that puts it before an earlier time of the record and its second reading
    (the repeated hour lived again) does not. `must_follow` are the instants it can never
    precede (an order the CAD cannot break: a row that breaks it is quarantined);
    `should_follow` the ones it follows unless the record says otherwise. The second reading
    is taken when it restores a broken `must_follow` order, or, the first keeping those, when
    it restores the `should_follow` order too. Null references are ignored. -#}
{% macro ordered_reading_utc(local, must_follow, should_follow=[]) -%}
    {%- set first = first_reading_utc(local) -%}
    {%- set second = second_reading_utc(local) -%}
    {%- set must = 'greatest(' ~ must_follow | join(', ') ~ ')' -%}
    {%- set every = 'greatest(' ~ (must_follow + should_follow) | join(', ') ~ ')' -%}
    case
        when {{ first }} < {{ must }}
            then case when {{ second }} >= {{ must }} then {{ second }} else {{ first }} end
        when {{ first }} < {{ every }} and {{ second }} >= {{ every }} then {{ second }}
        else {{ first }}
    end
{%- endmacro %}

{#- The instants of a call's four local times, as CTEs over `input` (every column of it, and
    `<time>_utc` for each time): the last is named `calls_on_city_clock`. The record's order is
    create <= dispatch <= arrive <= closed, with arrival before dispatch allowed when it equals
    creation (an officer on scene creates the call; dispatch is entered later), the only
    arrival before dispatch the city's 2022 calls hold. Creation, the first time, takes its
    first reading. Used by the staging model (validation compares these instants) and by the
    response-times mart, which reads the published local times: one rule, so the mart's
    figures are what anyone recomputes from the published calls with it. -#}
{% macro calls_on_city_clock(input, created, dispatched, arrived, closed) -%}
    created_on_city_clock as (

        select
            *,
            {{ first_reading_utc(created) }} as {{ created }}_utc
        from {{ input }}

    ),

    dispatched_on_city_clock as (

        select
            *,
            {{ ordered_reading_utc(dispatched, [created ~ '_utc']) }} as {{ dispatched }}_utc
        from created_on_city_clock

    ),

    arrived_on_city_clock as (

        select
            *,
            {{ ordered_reading_utc(
                arrived,
                [created ~ '_utc'],
                ['case when ' ~ arrived ~ ' != ' ~ created ~ ' then ' ~ dispatched ~ '_utc end']
            ) }} as {{ arrived }}_utc
        from dispatched_on_city_clock

    ),

    calls_on_city_clock as (

        select
            *,
            {{ ordered_reading_utc(
                closed, [created ~ '_utc', arrived ~ '_utc'], [dispatched ~ '_utc']
            ) }} as {{ closed }}_utc
        from arrived_on_city_clock

    )
{%- endmacro %}
