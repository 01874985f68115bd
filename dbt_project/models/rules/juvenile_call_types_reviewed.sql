-- The juvenile call types: the seed's, and every code a steward classified juvenile, by
-- code and by its public text, exactly as the seed's are matched (macros/privacy.sql). Fail
-- closed: a steward's decision adds a code here, never takes a seed's code out (that is a
-- reviewed change to the seed); a later decision saying a steward's code is not juvenile
-- takes only that steward's classification back.
with

seed as (

    select * from {{ ref('juvenile_call_types') }}

),

decisions as (

    select * from {{ ref('corrections_in_effect') }}

),

steward_juvenile as (

    select
        code as type_code,
        public_text as type_text,
        'steward ' || steward || ': ' || reason as reason,
        correction_id
    from decisions
    where
        dataset = 'calls_for_service'
        and kind = 'new_code'
        and is_juvenile

),

final as (

    select
        type_code,
        type_text,
        reason,
        cast(null as varchar) as correction_id
    from seed
    union all
    select
        type_code,
        type_text,
        reason,
        correction_id
    from steward_juvenile
    where type_code not in (select seed_codes.type_code from seed as seed_codes)

)

select * from final
