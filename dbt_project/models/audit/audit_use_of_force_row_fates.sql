{{
    config(
        pre_hook="{{ delete_partition_window('partition_date') }}",
    )
}}
-- What became of every raw use-of-force row version of the window: published (part of a
-- published incident), merged (an exact duplicate, or a version superseded by a later export
-- of the incident) or quarantined with its reason.
with

validated as (

    select * from {{ ref('int_use_of_force_validated') }}

),

kept as (

    select source_row_id from {{ ref('int_use_of_force_deduplicated') }}

),

latest_versions as (

    select
        pib_file_number,
        max(source_updated_at) as latest_updated_at
    from validated
    where quarantine_reason is null
    group by pib_file_number

),

final as (

    select
        validated.partition_date,
        validated.source_row_id,
        validated.pib_file_number,
        case
            when validated.quarantine_reason is not null then 'quarantined'
            when kept.source_row_id is null then 'merged_duplicate'
            else 'published'
        end as fate,
        case
            when validated.quarantine_reason is not null then validated.quarantine_reason
            when kept.source_row_id is not null then null
            when validated.source_updated_at < latest_versions.latest_updated_at
                then 'superseded by a newer export of the incident'
            else 'exact duplicate row'
        end as fate_reason,
        validated.load_run_id

    from validated
    left join kept
        on validated.source_row_id = kept.source_row_id
    left join latest_versions
        on validated.pib_file_number = latest_versions.pib_file_number

)

select * from final
{{ stored_in_day_order('partition_date') }}
