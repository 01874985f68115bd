-- The stewards' decisions in force: for each kind, dataset and subject (a code, a pair of
-- item numbers, a row), the latest decision recorded. Earlier ones stay in the source table
-- as history; the lineage document lists both.
with

corrections as (

    select * from {{ source('stewards', 'corrections') }}

),

latest as (

    select *
    from corrections
    qualify
        row_number() over (
            partition by kind, dataset, subject
            order by recorded_at desc, correction_id desc
        ) = 1

)

select * from latest
