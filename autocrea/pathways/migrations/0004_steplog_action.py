"""StepLog.action: the action of the transition table that made each step change.

Existing rows get their action from their edge, as best the data allows (frozen here, not imported):

    ""            → interest                          express_interest
    interest      → information                       record_information
    interest      → decision                          skip_information
    information   → decision                          go_ahead
    decision      → orientation                       choose_partner
    orientation   → orientation, channel "partner"    decline
    orientation   → orientation, after a decline      choose_again (the person had no partner left)
    orientation   → orientation, otherwise            change_partner
    orientation   → diagnostic                        accept
    diagnostic    → accompaniment                     record_diagnostic
    diagnostic / accompaniment → exit                 record_exit
    diagnostic / accompaniment → orientation          reorient
    exit          → follow_up                         record_no_response when a follow-up of the trajectory
                                                      was recorded as "no response" that day, else record_follow_up
    exit          → accompaniment                     reopen_exit
    interest / information / decision → stopped      not_go_ahead when a "no" decision was recorded that day,
                                                      else stop
    orientation   → stopped                           stop
    stopped       → anything                          reopen_stopped

A row that fits none of these keeps an empty action.
"""

from django.db import migrations, models

EDGES = {
    ("", "interest"): "express_interest",
    ("interest", "information"): "record_information",
    ("interest", "decision"): "skip_information",
    ("information", "decision"): "go_ahead",
    ("decision", "orientation"): "choose_partner",
    ("orientation", "diagnostic"): "accept",
    ("diagnostic", "accompaniment"): "record_diagnostic",
    ("diagnostic", "exit"): "record_exit",
    ("accompaniment", "exit"): "record_exit",
    ("diagnostic", "orientation"): "reorient",
    ("accompaniment", "orientation"): "reorient",
    ("exit", "accompaniment"): "reopen_exit",
    ("orientation", "stopped"): "stop",
}
BATCH = 2000


def _action(row, previous, no_decision_days, no_response_days):
    edge = (row.from_step, row.to_step)
    if edge in EDGES:
        return EDGES[edge]
    if row.from_step == "stopped":
        return "reopen_stopped"
    if row.to_step == "stopped":
        return "not_go_ahead" if (row.trajectory_id, row.on) in no_decision_days else "stop"
    if edge == ("exit", "follow_up"):
        return "record_no_response" if (row.trajectory_id, row.on) in no_response_days else "record_follow_up"
    if edge == ("orientation", "orientation"):
        if row.channel == "partner":
            return "decline"
        return "choose_again" if previous == "decline" else "change_partner"
    return ""


def fill_actions(apps, schema_editor):
    StepLog = apps.get_model("pathways", "StepLog")
    Decision = apps.get_model("pathways", "Decision")
    FollowUp = apps.get_model("pathways", "FollowUp")
    no_decision_days = set(Decision.objects.filter(go_ahead=False).values_list("trajectory_id", "decided_on"))
    no_response_days = set(
        FollowUp.objects.filter(status="no_response").values_list("trajectory_id", "answered_on")
    )
    previous_trajectory, previous, changed = None, "", []
    rows = StepLog.objects.order_by("trajectory_id", "id").only("trajectory_id", "from_step", "to_step", "on", "channel")
    for row in rows.iterator(chunk_size=BATCH):
        if row.trajectory_id != previous_trajectory:
            previous_trajectory, previous = row.trajectory_id, ""
        row.action = _action(row, previous, no_decision_days, no_response_days)
        previous = row.action
        changed.append(row)
        if len(changed) >= BATCH:
            StepLog.objects.bulk_update(changed, ["action"])
            changed = []
    if changed:
        StepLog.objects.bulk_update(changed, ["action"])


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0003_follow_up_attempts"),
    ]

    operations = [
        migrations.AddField(
            model_name="steplog",
            name="action",
            field=models.CharField(blank=True, db_default="", default="", max_length=30, verbose_name="action"),
        ),
        migrations.RunPython(fill_actions, migrations.RunPython.noop),
    ]
