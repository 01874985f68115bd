-- One text per code: the reviewed canonical call-type (the seed with the stewards'
-- decisions, models/rules/call_types_reviewed.sql) and disposition texts replace the
-- misspelled, truncated and re-cased texts the CAD exports for the same code.
with

deduplicated as (

    select * from {{ ref('int_calls_for_service_deduplicated') }}

),

call_types as (

    select * from {{ ref('call_types_reviewed') }}

),

dispositions as (

    select * from {{ ref('dispositions') }}

),

normalized as (

    select
        deduplicated.*,
        coalesce(
            final_type.type_text, {{ normalized_text('deduplicated.type_text_reported') }}
        ) as type_text,
        coalesce(
            initial_type.type_text,
            {{ normalized_text('deduplicated.initial_type_text_reported') }}
        ) as initial_type_text,
        coalesce(
            disposition.disposition_text, trim(deduplicated.disposition_text_reported)
        ) as disposition_text,
        final_type.type_code is not null as is_type_text_canonical

    from deduplicated
    left join call_types as final_type
        on deduplicated.type_code = final_type.type_code
    left join call_types as initial_type
        on deduplicated.initial_type_code = initial_type.type_code
    left join dispositions as disposition
        on deduplicated.disposition_code = disposition.disposition_code

)

select * from normalized
