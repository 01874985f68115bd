-- What is published without coordinates: the seed's text patterns, and every code a
-- steward classified as a sensitive location (matched on the code, final or initial, since
-- a new code's texts need not match any pattern). Fail closed, as the juvenile list.
with

seed as (

    select * from {{ ref('sensitive_location_call_types') }}

),

decisions as (

    select * from {{ ref('corrections_in_effect') }}

),

final as (

    select
        pattern,
        cast(null as varchar) as type_code,
        reason,
        cast(null as varchar) as correction_id
    from seed
    union all
    select
        cast(null as varchar) as pattern,
        code as type_code,
        'steward ' || steward || ': ' || reason as reason,
        correction_id
    from decisions
    where
        dataset = 'calls_for_service'
        and kind = 'new_code'
        and is_sensitive_location

)

select * from final
