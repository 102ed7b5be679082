/**
 * `npm run seed:large [-- --force]`: a large synthetic provider for the readiness bench — 20 client organisations,
 * 500 cohorts at staggered points of the six-stage programme, 10,000 candidates with realistic progress
 * (completion marks, a few waivers, sign-offs in every state, mentor assessments). Set-based SQL throughout
 * (generate_series), into the configured database (DATA_DIR or DATABASE_URL). Refuses a non-empty database
 * unless --force. Every login's password is "cadre-demo": admin@large.test, lead1@large.test … lead20@large.test,
 * mentor1@large.test … mentor50@large.test, candidate1@large.test … candidate10000@large.test.
 */
import { loadConfig } from '../server/config';
import { openDatabase, type Database, type QueryFn } from '../server/db';
import { hashPassword } from '../server/auth/passwords';
import { discoverModules } from '../server/modules/loader';
import { builtInManifests } from '../seed/programme';

/** The shape of the large seed. */
export const LARGE = { organisations: 20, cohortsPerOrganisation: 25, candidatesPerCohort: 20, mentors: 50, password: 'cadre-demo' } as const;


/** Seeds the large data set; returns the counts written. */
export async function seedLarge(database: Database, options: { force?: boolean; log?: (s: string) => void } = {}) {
  const log = options.log ?? (() => {});
  // Temporary tables live on one connection: on PostgreSQL, hold one client from the pool for the whole run.
  const client = database.pool ? await database.pool.connect() : null;
  try {
    return await run(client ? async (text, params) => ({ rows: (await client.query(text, params)).rows as Record<string, unknown>[] }) : database.query, options.force ?? false, log);
  } finally {
    client?.release();
  }
}

async function run(q: QueryFn, force: boolean, log: (s: string) => void) {
  const [{ n }] = (await q('select count(*)::int as n from organisations')).rows as { n: number }[];
  if (n > 0 && !force) throw new Error('Refusing to seed: the database already has data. Use an empty database, or pass --force to add the large data set anyway.');
  const started = Date.now();
  const step = async (label: string, text: string, params?: unknown[]) => {
    const t0 = Date.now();
    await q(text, params);
    log(`  ${label} (${Date.now() - t0} ms)`);
  };
  const hash = await hashPassword(LARGE.password);
  // With --force on a non-empty database, a run tag in names and e-mails keeps this run's rows apart from the rest.
  const tag = n > 0 ? ` L${Date.now().toString(36)}` : '';
  const orgs = LARGE.organisations;
  const cohortsTotal = orgs * LARGE.cohortsPerOrganisation;
  const candidatesTotal = cohortsTotal * LARGE.candidatesPerCohort;
  const email = (who: string) => (n > 0 ? `${who}.${tag.trim().toLowerCase()}` : who);

  await step('organisations', `insert into organisations (name, kind, sector) values ($1, 'provider', 'Training provider')`, [`Large Provider${tag}`]);
  await step(
    'client organisations',
    `insert into organisations (name, kind, sector, staff_count) select 'Client ' || lpad(g::text, 2, '0') || '${tag}', 'client', 'Care provider', 150 + g * 10 from generate_series(1, $1::int) g`,
    [orgs],
  );
  await step(
    'users',
    `insert into users (email, name, password_hash, status)
     select e, nm, $1, 'active' from (
       select $2 || '@large.test' as e, 'Admin Large' as nm
       union all select 'mentor' || g || $3 || '@large.test', 'Mentor ' || g from generate_series(1, $4::int) g
       union all select 'lead' || g || $3 || '@large.test', 'Lead ' || g from generate_series(1, $5::int) g
       union all select 'candidate' || g || $3 || '@large.test', 'Candidate ' || lpad(g::text, 5, '0') from generate_series(1, $6::int) g) x`,
    [hash, email('admin'), n > 0 ? `.${tag.trim().toLowerCase()}` : '', LARGE.mentors, orgs, candidatesTotal],
  );
  const suffix = n > 0 ? `.${tag.trim().toLowerCase()}` : '';
  // Temporary lookup tables keep the rest of the script to joins on integers.
  await q(`create temporary table lg_org as select o.id, row_number() over (order by o.name)::int as k from organisations o where o.name like 'Client __' || $1`, [tag]);
  await q(`create temporary table lg_user as select u.id, split_part(u.email, '@', 1) as handle from users u where u.email like '%' || $1 || '@large.test'`, [suffix]);
  await q(`create temporary table lg_mentor as select id, replace(replace(handle, 'mentor', ''), $1, '')::int as k from lg_user where handle like 'mentor%'`, [suffix]);
  await q(`create temporary table lg_lead as select id, replace(replace(handle, 'lead', ''), $1, '')::int as k from lg_user where handle like 'lead%'`, [suffix]);
  await q(`create temporary table lg_cand as select id, replace(replace(handle, 'candidate', ''), $1, '')::int as k from lg_user where handle like 'candidate%'`, [suffix]);
  await q(`create index on lg_cand (k)`);
  await step(
    'memberships',
    `insert into memberships (user_id, organisation_id, role)
     select u.id, (select id from organisations where name = $1), 'admin' from lg_user u where u.handle = $2
     union all select m.id, (select id from organisations where name = $1), 'mentor' from lg_mentor m
     union all select l.id, o.id, 'lead' from lg_lead l join lg_org o on o.k = l.k
     union all select c.id, o.id, 'candidate' from lg_cand c join lg_org o on o.k = (c.k - 1) / $3 + 1`,
    [`Large Provider${tag}`, email('admin'), LARGE.cohortsPerOrganisation * LARGE.candidatesPerCohort],
  );

  await q(`insert into competency_frameworks (name, rating_scale) values ($1, '{"levels":["Not yet","Developing","Competent","Exemplary"],"competentFrom":2}')`, [`Trainer framework${tag}`]);
  await q(`insert into competency_areas (framework_id, position, name) select id, 1, 'Delivering the programme' from competency_frameworks where name = $1`, [`Trainer framework${tag}`]);
  await step(
    'competencies',
    `insert into competencies (framework_id, area_id, code, name, safety_critical, position)
     select f.id, a.id, x.code, x.name, x.sc, x.pos from competency_frameworks f join competency_areas a on a.framework_id = f.id,
     (values ('D1','Opens a session with dignity and respect',false,1),('D2','Teaches de-escalation',false,2),('D3','Leads reflective practice',false,3),
             ('D4','Adapts to the group',false,4),('D5','Keeps records an inspector can follow',false,5),('D6','Handles disclosures well',false,6),
             ('S1','Demonstrates safe holds as a last resort',true,7),('S2','Debriefs after restraint',true,8)) x(code, name, sc, pos)
     where f.name = $1`,
    [`Trainer framework${tag}`],
  );
  await q(`insert into rubrics (name, pass_threshold) values ($1, 60)`, [`Co-delivery observation${tag}`]);
  await q(
    `insert into rubric_levels (rubric_id, position, label, points) select r.id, x.p, x.l, x.p from rubrics r, (values (0,'Not yet'),(1,'Developing'),(2,'Competent'),(3,'Exemplary')) x(p, l) where r.name = $1`,
    [`Co-delivery observation${tag}`],
  );
  await q(
    `insert into rubric_criteria (rubric_id, position, title, weight, must_pass, pass_level)
     select r.id, x.pos, x.t, x.w, x.mp, 2 from rubrics r, (values (1,'Keeps everyone safe',3,true),(2,'Uses non-escalation language',2,true),(3,'Explains clearly',1,false),(4,'Invites reflection',1,false)) x(pos, t, w, mp)
     where r.name = $1`,
    [`Co-delivery observation${tag}`],
  );
  await q(`insert into programme_templates (name, framework_id) select $1, id from competency_frameworks where name = $2`, [`Restraint Reduction Trainer Development${tag}`, `Trainer framework${tag}`]);

  // Cohorts start between 129 days ago and 30 days from now, so every point of the programme is represented.
  await step(
    'cohorts',
    `insert into cohorts (organisation_id, programme_template_id, template_version, framework_id, name, starts_on, ends_on)
     select o.id, (select id from programme_templates where name = $1), 1, (select id from competency_frameworks where name = $2),
            'Cohort ' || lpad(g::text, 3, '0') || '${tag}', current_date - ((g * 37) % 160 - 30), current_date - ((g * 37) % 160 - 30) + 75
     from generate_series(1, $3::int) g join lg_org o on o.k = (g - 1) / $4 + 1`,
    [`Restraint Reduction Trainer Development${tag}`, `Trainer framework${tag}`, cohortsTotal, LARGE.cohortsPerOrganisation],
  );
  await q(`create temporary table lg_cohort as select id, starts_on, substring(name from 8 for 3)::int as k from cohorts where name like 'Cohort ___${tag}'`);
  // The built-in programme's stages as the installed manifests declare them: order, title and day window.
  const stageValues = builtInManifests(discoverModules())
    .map((m, i) => `(${i + 1}, '${m.key}', '${m.title.replace(/'/g, "''")}', ${m.programme.startDay}, ${m.programme.endDay})`)
    .join(', ');
  await step(
    'cohort stages',
    `insert into cohort_stages (cohort_id, position, module_key, title, open_requirements, complete_requirements, starts_on, ends_on)
     select c.id, s.pos, s.key, s.title,
            case when s.pos = 1 then '[]'::jsonb else '[{"kind":"previous-stage-complete","params":{}}]'::jsonb end,
            '[{"kind":"mentor-marked-complete","params":{}}]'::jsonb, c.starts_on + s.sd, c.starts_on + s.ed
     from lg_cohort c, (values ${stageValues}) s(pos, key, title, sd, ed)`,
  );
  await step(
    'cohort members',
    `insert into cohort_members (cohort_id, user_id, role)
     select c.id, u.id, 'candidate' from lg_cand u join lg_cohort c on c.k = (u.k - 1) / $1 + 1
     union all select c.id, m.id, 'mentor' from lg_cohort c join lg_mentor m on m.k = (c.k - 1) % $2 + 1 or m.k = (c.k + 24) % $2 + 1
     union all select c.id, l.id, 'lead' from lg_cohort c join cohorts co on co.id = c.id join lg_org o on o.id = co.organisation_id join lg_lead l on l.k = o.k`,
    [LARGE.candidatesPerCohort, LARGE.mentors],
  );
  // Each candidate has reached the stages whose windows have closed, less 0 (80%), 1 (15%) or 2 (5%) for those behind.
  await q(
    `create temporary table lg_progress as
     select cm.cohort_id, cm.user_id as candidate_id,
            greatest(0, (select count(*) from cohort_stages s where s.cohort_id = cm.cohort_id and s.ends_on < current_date)::int
                        - case when r < 0.80 then 0 when r < 0.95 then 1 else 2 end) as reached,
            (select min(m.user_id::text)::uuid from cohort_members m where m.cohort_id = cm.cohort_id and m.role = 'mentor') as mentor_id,
            (select max(m.user_id::text)::uuid from cohort_members m where m.cohort_id = cm.cohort_id and m.role = 'mentor') as mentor2_id
     from (select *, random() as r from cohort_members) cm join lg_cohort c on c.id = cm.cohort_id where cm.role = 'candidate'`,
  );
  await step(
    'completion marks',
    `insert into stage_completion_marks (cohort_stage_id, candidate_id, mentor_id, created_at)
     select s.id, p.candidate_id, p.mentor_id, (s.ends_on - (random() * 3)::int)::timestamptz + interval '15 hours'
     from lg_progress p join cohort_stages s on s.cohort_id = p.cohort_id and s.position <= p.reached`,
  );
  await step(
    'waivers',
    `insert into stage_waivers (cohort_stage_id, candidate_id, scope, reason, mentor_id, created_at)
     select s.id, p.candidate_id, 'stage', 'Completed the equivalent with a previous employer (certificate seen)', p.mentor_id, now() - interval '2 days'
     from lg_progress p join cohort_stages s on s.cohort_id = p.cohort_id and s.position = p.reached + 1
     where random() < 0.02 and p.reached < 6`,
  );
  await step(
    'sign-off requests',
    `insert into signoff_requests (cohort_id, candidate_id, competency_id, reflection, status, rating, signed_by, countersigned_by, signed_at, submitted_at, created_at, updated_at)
     select x.cohort_id, x.candidate_id, x.competency_id, 'What went well, what I would change, and what I learned about keeping everyone safe.', x.status,
            case when x.status in ('signed','awaiting_countersign') then 2 + (random())::int end,
            case when x.status in ('signed','awaiting_countersign') then x.mentor_id end,
            case when x.status = 'signed' and x.sc then x.mentor2_id end,
            case when x.status = 'signed' then x.submitted + interval '2 days' end, x.submitted, x.submitted,
            case when x.status = 'signed' then x.submitted + interval '2 days' else x.submitted + interval '1 day' end
     from (
       select p.cohort_id, p.candidate_id, k.id as competency_id, k.safety_critical as sc, p.mentor_id, p.mentor2_id,
              now() - (random() * 40 + 3) * interval '1 day' as submitted,
              case when r2 < 0.80 then 'signed'
                   when r2 < 0.88 then case when k.safety_critical then 'awaiting_countersign' else 'pending' end
                   when r2 < 0.93 then 'pending' when r2 < 0.96 then 'more_evidence' else 'declined' end as status
       from (select *, random() as r2 from lg_progress) p
       join cohorts c on c.id = p.cohort_id join competencies k on k.framework_id = c.framework_id
       where random() < p.reached / 6.0 * 1.1) x`,
  );
  await step(
    'assessments',
    `insert into assessments (rubric_id, cohort_id, candidate_id, assessor_id, kind, context_type, context_id, cohort_stage_id, percent, passed, must_pass_failed, created_at)
     select (select id from rubrics where name = $1), p.cohort_id, p.candidate_id, p.mentor_id, 'mentor', 'stage', s.id::text, s.id, 0, false, false, s.ends_on::timestamptz
     from lg_progress p join cohort_stages s on s.cohort_id = p.cohort_id and s.position = 5 where p.reached >= 5`,
    [`Co-delivery observation${tag}`],
  );
  await step(
    'assessment scores',
    `insert into assessment_scores (assessment_id, criterion_id, level_position)
     select a.id, c.id, least(3, greatest(0, round(2.2 + (random() - 0.45) * 2.2)))::int
     from assessments a join rubric_criteria c on c.rubric_id = a.rubric_id where a.rubric_id = (select id from rubrics where name = $1)`,
    [`Co-delivery observation${tag}`],
  );
  await step(
    'assessment results',
    `update assessments a set percent = x.pct, must_pass_failed = x.mpf, passed = (x.pct >= 60 and not x.mpf)
     from (select s.assessment_id, round(sum(s.level_position * c.weight) / sum(3 * c.weight) * 100, 2) as pct, bool_or(c.must_pass and s.level_position < c.pass_level) as mpf
           from assessment_scores s join rubric_criteria c on c.id = s.criterion_id group by s.assessment_id) x
     where x.assessment_id = a.id and a.rubric_id = (select id from rubrics where name = $1)`,
    [`Co-delivery observation${tag}`],
  );
  await q('analyze');
  for (const t of ['lg_org', 'lg_user', 'lg_mentor', 'lg_lead', 'lg_cand', 'lg_cohort', 'lg_progress']) await q(`drop table ${t}`);
  const counts = (await q(`select (select count(*)::int from cohorts) as cohorts, (select count(*)::int from cohort_members where role = 'candidate') as candidates,
      (select count(*)::int from stage_completion_marks) as marks, (select count(*)::int from signoff_requests) as signoffs, (select count(*)::int from assessments) as assessments`)).rows[0];
  log(`Seeded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
  return { counts, tag, leadEmail: `lead1${suffix}@large.test`, adminEmail: `${email('admin')}@large.test` };
}

async function main() {
  const force = process.argv.includes('--force');
  const config = loadConfig(process.env, { serving: false });
  if (config.env === 'production') throw new Error('Refusing to seed synthetic data with NODE_ENV=production.');
  const database = await openDatabase(config);
  try {
    const result = await seedLarge(database, { force, log: (s) => console.log(s) });
    console.log(`Log in as ${result.leadEmail} (a lead: 25 cohorts, 500 candidates) or ${result.adminEmail}, password "${LARGE.password}".`);
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
