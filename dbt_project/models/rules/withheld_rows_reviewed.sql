-- Rows the stewards took out of the public set, by dataset and row identifier: a row
-- withheld with a reason (`withhold_rows_by_steward`), and the later item of a suspected
-- duplicate event they confirmed (`merge_confirmed_duplicate_events`: the earlier item
-- stands for the event). A later decision releasing the row, or rejecting the duplicate,
-- supersedes and takes it off this list.
with

decisions as (

    select * from {{ ref('corrections_in_effect') }}

),

final as (

    select
        dataset,
        row_id,
        case
            when kind = 'duplicate_event' then 'merge_confirmed_duplicate_events'
            else 'withhold_rows_by_steward'
        end as exclusion_rule,
        duplicate_of,
        steward,
        reason,
        correction_id
    from decisions
    where
        (kind = 'withheld_row' and decision = 'withhold')
        or (kind = 'duplicate_event' and decision = 'confirmed')
    qualify
        row_number() over (
            partition by dataset, row_id order by recorded_at desc, correction_id desc
        ) = 1

)

select * from final
