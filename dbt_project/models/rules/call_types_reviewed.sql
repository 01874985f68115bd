-- One public text per call type code: the seed's, unless a steward decided the code's
-- canonical text (a misspelling reviewed) or classified a code the seed does not list yet.
-- Of a code's decisions of either kind, the latest recorded wins. A canonical text alone
-- never classifies a code (it says nothing of juvenile or sensitive): it applies only to a
-- code the seed or a steward's new_code decision classified (fail closed).
with

seed as (

    select * from {{ ref('call_types') }}

),

decisions as (

    select * from {{ ref('corrections_in_effect') }}

),

steward_texts as (

    select
        code as type_code,
        public_text as type_text,
        correction_id
    from decisions
    where
        dataset = 'calls_for_service'
        and (
            kind = 'new_code'
            or (
                kind = 'canonical_text'
                and (
                    code in (select seed_codes.type_code from seed as seed_codes)
                    or code in (
                        select classified.code from decisions as classified
                        where classified.kind = 'new_code'
                    )
                )
            )
        )
    qualify
        row_number() over (
            partition by code order by recorded_at desc, correction_id desc
        ) = 1

),

final as (

    select
        coalesce(seed.type_code, steward_texts.type_code) as type_code,
        coalesce(steward_texts.type_text, seed.type_text) as type_text,
        steward_texts.correction_id
    from seed
    full outer join steward_texts
        on seed.type_code = steward_texts.type_code

)

select * from final
