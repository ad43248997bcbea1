"""The demo academy's research-along: mentors from Jinan's universities,
institutes and software-park companies, pairings in every status, and
activities waiting, confirmed (credited through the ledger's bulk writer,
which writes what a confirmation's ``credit_record`` writes) and returned.

Called by ``lms.demo.seeding.demo_academy_seed`` inside its transaction. Its
queries depend on the number of mentors, never on the number of teachers:
the teachers it pairs are picked from the plan by user name.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from lms.api import BulkCredit, CreditCategory, Stage, Subject, TeacherProfile, credits_record_bulk

from .constants import (
    CREDITED_VIA,
    ActivityKind,
    ActivityStatus,
    InstitutionType,
    OutputKind,
    PairingStatus,
    ProposalSource,
    activity_source_key,
)
from .models import (
    MentorProfile,
    MentorProject,
    ResearchActivity,
    ResearchOutput,
    ResearchPairing,
    ResearchPairingUserObjectPermission,
)

DEMO_MENTOR_USERNAME = "mentor"

P, C, B, G, IT, GT, M, S = (Subject.PHYSICS, Subject.CHEMISTRY, Subject.BIOLOGY, Subject.GEOGRAPHY,
                            Subject.INFORMATION_TECHNOLOGY, Subject.GENERAL_TECHNOLOGY, Subject.MATHEMATICS,
                            Subject.SCIENCE)
ALL_STAGES = [Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR]
U, I, CO, E = (InstitutionType.UNIVERSITY, InstitutionType.INSTITUTE, InstitutionType.COMPANY,
               InstitutionType.EDUCATION_RESEARCH)

# username, institution, type, department, fields, subjects, stages, title, capacity, availability,
# project, and the statuses of the mentor's pairings (oldest first).
A, D, X, Q, N = (PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.DECLINED, PairingStatus.PROPOSED,
                 PairingStatus.ENDED_EARLY)
DEMO_MENTORS = (
    ("mentor", "山东大学", U, "物理学院·凝聚态物理课题组", "凝聚态物理, 功能材料", [P, S], ALL_STAGES, "教授", 3,
     "每周三下午", "磁性材料与小学“磁铁”单元探究", (A, D, A, Q)),
    ("mentor-01", "山东师范大学", U, "生命科学学院", "植物生理学, 生态学", [B, S], [Stage.PRIMARY, Stage.JUNIOR],
     "副教授", 2, "周末可约", "泉水湿地植物群落调查", (A, A, X)),
    ("mentor-02", "济南大学", U, "化学化工学院", "分析化学, 水质检测", [C, S], [Stage.JUNIOR, Stage.SENIOR],
     "教授", 2, "每周一上午", "小清河水质监测与化学探究课", (D, A, Q)),
    ("mentor-03", "齐鲁工业大学（山东省科学院）", U, "生物工程学院", "发酵工程, 食品微生物", [B, C],
     [Stage.SENIOR], "研究员", 2, "每月两次", "传统发酵食品中的微生物", (A, N, Q)),
    ("mentor-04", "中国科学院空天信息创新研究院济南分院", I, "遥感应用研究室", "遥感, 地理信息系统", [G, IT],
     [Stage.JUNIOR, Stage.SENIOR], "副研究员", 2, "线上为主", "用卫星影像观察济南城市热岛", (A, A)),
    ("mentor-05", "齐鲁中科电工先进电磁驱动技术研究院", I, "电磁驱动研究部", "电磁驱动, 电机控制", [P, GT],
     [Stage.SENIOR], "高级工程师", 1, "每周五", "电磁炮模型与高中电磁学", (A, Q)),
    ("mentor-06", "浪潮科学研究院（齐鲁软件园）", CO, "人工智能研究所", "人工智能, 机器学习", [IT, M],
     ALL_STAGES, "首席研究员", 2, "每两周一次", "中小学人工智能启蒙课程开发", (D, A, Q)),
    ("mentor-07", "神思电子技术股份有限公司（齐鲁软件园）", CO, "智能视觉实验室", "计算机视觉, 嵌入式系统",
     [IT, GT], [Stage.JUNIOR, Stage.SENIOR], "研发总监", 1, "工作日晚上", "校园智能识别小项目", (A, X)),
    ("mentor-08", "济南市教育教学研究院", E, "科学教育研究室", "科学教育, 跨学科学习评价", [S, P, C, B],
     ALL_STAGES, "正高级教师", 3, "每周二", "小学科学跨学科主题学习评价", (A, A, N, Q)),
    ("mentor-09", "山东大学", U, "数学学院", "应用数学, 数学建模", [M, IT], [Stage.SENIOR], "教授", 2,
     "学期中每月一次", "高中数学建模与真实数据", (A, Q)),
    ("mentor-10", "山东师范大学", U, "地理与环境学院", "自然地理, 喀斯特地貌", [G, S], ALL_STAGES, "副教授", 2,
     "野外季节可约", "济南泉水成因野外考察", (D, A)),
)

ACTIVITY_DESCRIPTIONS = {
    ActivityKind.MEETING: "参加课题组组会，汇报课堂改编进展",
    ActivityKind.LAB_SESSION: "在课题组实验室学习仪器操作并记录数据",
    ActivityKind.FIELD_WORK: "随课题组野外采样，整理照片与样本记录",
    ActivityKind.JOINT_EXPERIMENT: "与导师共同完成一组对照实验",
    ActivityKind.CO_AUTHORED_OUTPUT: "与导师合写科普文章初稿",
    ActivityKind.LESSON_DESIGN: "把研究内容改编为一节探究课并试讲",
}
KINDS = list(ACTIVITY_DESCRIPTIONS)
RETURN_COMMENT = "请补充实验记录的照片，并写明每个环节的时长。"


@dataclass(frozen=True)
class ResearchAlongSummary:
    mentors: int
    pairings: int
    activities: int
    credited: int


def _picked_teachers(teacher_usernames, count):
    """The demo teacher first, then teachers spread evenly over the plan."""
    if not teacher_usernames:
        return []
    first, rest = teacher_usernames[0], teacher_usernames[1:]
    step = max(1, len(rest) // max(1, count - 1))
    picked = [first] + rest[::step][: count - 1]
    by_username = {
        teacher.user.username: teacher
        for teacher in TeacherProfile.objects.select_related("user", "school").filter(user__username__in=picked)
    }
    return [by_username[username] for username in picked if username in by_username]


def research_along_demo_seed(*, teacher_usernames, today=None) -> ResearchAlongSummary:
    """``teacher_usernames``: the plan's teachers, the demo teacher first."""
    today = today or timezone.localdate()
    users = get_user_model().objects.in_bulk([spec[0] for spec in DEMO_MENTORS], field_name="username")
    specs = [spec for spec in DEMO_MENTORS if spec[0] in users]
    mentors, projects = _mentors_create(specs, users)
    wanted = sum(len(spec[11]) for spec in specs)
    teachers = _picked_teachers(list(teacher_usernames), wanted)
    pairings = ResearchPairing.objects.bulk_create(_pairings_planned(mentors, projects, specs, teachers, today))
    _pairing_permissions_grant(pairings)
    activities, outputs = _activities_and_outputs(pairings, today)
    activities = ResearchActivity.objects.bulk_create(activities)
    ResearchOutput.objects.bulk_create(outputs)

    confirmed = [activity for activity in activities if activity.status == ActivityStatus.CONFIRMED]
    _confirmed_credit(confirmed)
    ResearchActivity.objects.bulk_update(confirmed, ["credit"])
    return ResearchAlongSummary(
        mentors=len(mentors), pairings=len(pairings), activities=len(activities), credited=len(confirmed)
    )


def _mentors_create(specs, users):
    """The demo mentors' profiles, and one open project each."""
    mentors = MentorProfile.objects.bulk_create([
        MentorProfile(
            user=users[username], real_name=users[username].first_name or username, institution=institution,
            institution_type=kind, department=department, research_fields=fields, subjects=[str(s) for s in subjects],
            stages=[str(s) for s in stages], title=title, contact_email=users[username].email, capacity=capacity,
            availability=availability,
        )
        for username, institution, kind, department, fields, subjects, stages, title, capacity, availability, *_
        in specs
    ])
    projects = MentorProject.objects.bulk_create([
        MentorProject(mentor=mentor, title=spec[10], summary=f"{spec[3]}：{spec[10]}。欢迎中小学科学教师参与。")
        for mentor, spec in zip(mentors, specs)
    ])
    return mentors, projects


def _pairings_planned(mentors, projects, specs, teachers, today):
    """Unsaved pairings: each mentor's statuses from their spec, given to
    the picked teachers in turn while they last."""
    pairings, next_teacher = [], 0
    for mentor, project, spec in zip(mentors, projects, specs):
        for position, status in enumerate(spec[11]):
            if next_teacher >= len(teachers):
                break
            teacher = teachers[next_teacher]
            next_teacher += 1
            pairings.append(_pairing(mentor, project, spec, teacher, position, status, today))
    return pairings


def _pairing(mentor, project, spec, teacher, position, status, today):
    # Completed pairings began about a year ago, the others more recently.
    start = today - datetime.timedelta(days=330 if status == PairingStatus.COMPLETED else 150 - 25 * position)
    closed = status in (PairingStatus.COMPLETED, PairingStatus.DECLINED, PairingStatus.ENDED_EARLY)
    now = timezone.now()
    return ResearchPairing(
        teacher=teacher, mentor=mentor, project=project if position == 0 else None,
        project_title=spec[10] if position == 0 else f"{spec[10]}（{teacher.school.name if teacher.school_id else ''}）",
        goals="参与真实科研项目，并把研究方法改编成适合学生的探究活动。", start_on=start,
        planned_end_on=start + datetime.timedelta(days=300),
        status=status, proposed_via=ProposalSource.TEACHER if position % 2 == 0 else ProposalSource.ACADEMY,
        proposed_by=teacher.user,
        status_reason={PairingStatus.DECLINED: "本学期课题组名额已满，建议下学期再申请。",
                       PairingStatus.ENDED_EARLY: "教师调往外区学校，双方商定提前结束。"}.get(status, ""),
        final_report="完成三次实验室跟学，开发两节探究课并在区教研活动中展示。"
        if status == PairingStatus.COMPLETED else "",
        activated_at=None if status in (PairingStatus.PROPOSED, PairingStatus.DECLINED) else now,
        mentor_completed_at=now if status == PairingStatus.COMPLETED else None,
        teacher_completed_at=now if status == PairingStatus.COMPLETED else None,
        closed_at=now if closed else None,
    )


def _pairing_permissions_grant(pairings):
    """The teacher and the mentor may view and change their pairing."""
    permissions = list(Permission.objects.filter(
        content_type__app_label="mentors", codename__in=["view_researchpairing", "change_researchpairing"]
    ))
    ResearchPairingUserObjectPermission.objects.bulk_create([
        ResearchPairingUserObjectPermission(content_object=pairing, user_id=user_id, permission=permission)
        for pairing in pairings
        for user_id in (pairing.teacher.user_id, pairing.mentor.user_id)
        for permission in permissions
    ])


def _activities_and_outputs(pairings, today):
    """Unsaved activities of the pairings that ran, and the completed ones' outputs."""
    activities, outputs = [], []
    for number, pairing in enumerate(pairings):
        if pairing.status in (PairingStatus.PROPOSED, PairingStatus.DECLINED):
            continue
        if pairing.status == PairingStatus.COMPLETED:
            statuses = [ActivityStatus.CONFIRMED, ActivityStatus.CONFIRMED]
            outputs.append(ResearchOutput(pairing=pairing, kind=OutputKind.LESSON_DESIGN,
                                          title=f"探究课教学设计：{pairing.project_title}",
                                          created_by=pairing.teacher.user))
        elif pairing.status == PairingStatus.ENDED_EARLY:
            statuses = [ActivityStatus.CONFIRMED]
        else:
            statuses = [ActivityStatus.CONFIRMED, ActivityStatus.SUBMITTED]
            if number % 3 == 0:
                statuses.append(ActivityStatus.RETURNED)
        days_in = max(1, (today - pairing.start_on).days - 1)
        for index, status in enumerate(statuses):
            kind = KINDS[(number + index) % len(KINDS)]
            activities.append(ResearchActivity(
                pairing=pairing, kind=kind, status=status,
                occurred_on=pairing.start_on + datetime.timedelta(days=min(days_in, 14 + 30 * index)),
                hours=Decimal(("2", "3.5", "4", "1.5")[(number + index) % 4]),
                description=ACTIVITY_DESCRIPTIONS[kind],
                mentor_comment=RETURN_COMMENT if status == ActivityStatus.RETURNED else "",
                reviewed_by=pairing.mentor.user if status != ActivityStatus.SUBMITTED else None,
                reviewed_at=timezone.now() if status != ActivityStatus.SUBMITTED else None,
            ))
    return activities, outputs


def _confirmed_credit(confirmed):
    """Credit the confirmed activities as a mentor's confirmation credits
    each, in one batch; each activity gets its entry (saved by the caller)."""
    ids = credits_record_bulk([
        BulkCredit(
            activity.pairing.teacher_id, CreditCategory.RESEARCH_ALONG, activity.hours,
            activity_source_key(activity.pk), occurred_on=activity.occurred_on, evidence=activity,
            evidence_label=f"{activity.pairing.mentor.institution}·{activity.pairing.project_title}"[:255],
            credited_by_id=activity.pairing.mentor.user_id, credited_via=CREDITED_VIA,
        )
        for activity in confirmed
    ], with_ids=True).ids
    for activity in confirmed:
        activity.credit_id = ids[activity_source_key(activity.pk)]
