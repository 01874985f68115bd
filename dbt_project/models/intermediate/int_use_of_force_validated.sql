-- Every use-of-force row version of the window, with the reason it breaks the rules of its
-- type, if it does. Rows with a reason are quarantined.
with

staged as (

    select * from {{ ref('stg_use_of_force') }}
    where {{ in_partition_window('partition_date') }}

),

checked as (

    select
        *,
        concat_ws(
            '; ',
            case when pib_file_number is null then 'missing pib_file_number' end,
            case when occurred_on_reported is null then 'missing date_occurred' end,
            case
                when occurred_on_reported is not null and occurred_on is null
                    then 'unparsable date_occurred'
            end,
            case
                when occurred_on is not null and occurred_on != partition_date
                    then 'date_occurred outside its partition day'
            end,
            -- Held to the contract's identifier format, so one broken row is quarantined
            -- instead of failing the whole day's publish.
            case
                when pib_file_number is not null
                    and not regexp_full_match(pib_file_number, '([A-Z]{2,3})?[0-9]{4}-[0-9]{4}')
                    then 'malformed pib_file_number'
            end,
            {{ unpublishable_text_reasons(use_of_force_text_columns()) }}
        ) as reasons

    from staged

),

final as (

    select
        * exclude (reasons),
        nullif(reasons, '') as quarantine_reason
    from checked

)

select * from final
