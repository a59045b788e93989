/* remind.c: reminders by text message: who to text, the words, the modem (libgammu), the record.
 *
 * Why it is built this way:
 * - A site often has no network but has a GSM modem (or an old phone on a cable): libgammu talks
 *   to either, offline. A build without libgammu still has the CSV call list; remind says so.
 * - Nobody is texted twice for one due day. The row (sms_message, unique per person and day) is
 *   written as "pending" and committed before the modem is asked; only then is the message sent,
 *   and the row marked sent or failed. A run that dies between the two leaves "pending", which a
 *   later run treats as sent: a missed reminder is cheaper than a person texted twice, and the
 *   list of pending rows tells a manager which ones to check.
 * - A failed message (no signal, modem busy) is tried again by a later run, up to max_attempts.
 * - The message is in Vietnamese whatever the desk's interface language: it is read by the
 *   person being vaccinated. Its words still come from the message catalogue (vi.po).
 * - People who asked not to be texted stay on the call list: a person phoning them can be told
 *   no; a machine cannot. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef VAX_HAVE_GAMMU
#include <gammu.h>
#endif

/* ---- the words ---------------------------------------------------------------------------- */

/* glibc's gettext caches translations; a change of LANGUAGE is seen once this counter moves. */
extern int _nl_msg_cat_cntr;

/* msgid in the language the people texted read (Vietnamese), whatever the interface's. */
__attribute__((format_arg(1))) static const char *in_vietnamese(const char *msgid);

static const char *in_vietnamese(const char *msgid)
{
    const char *was = getenv("LANGUAGE");
    char saved[64] = "";
    const char *t;
    int had = was != NULL;
    if (had)
        vax_strlcpy(saved, was, sizeof saved);
    setenv("LANGUAGE", "vi", 1);
    ++_nl_msg_cat_cntr;
    t = dgettext(VAX_DOMAIN, msgid);
    if (had)
        setenv("LANGUAGE", saved, 1);
    else
        unsetenv("LANGUAGE");
    ++_nl_msg_cat_cntr;
    return t;
}

void vax_remind_compose(const char *site, int dose_number, const char *due_day,
                        const char *slot_time, char *out, size_t size)
{
    char dmy[11];
    vax_date_dmy(due_day, dmy);
    if (slot_time && slot_time[0])
        snprintf(out, size,
                 in_vietnamese(N_("%s: your COVID-19 vaccination, dose %d, is on %s at %s. "
                                  "Please bring your ID card.")),
                 site, dose_number, dmy, slot_time);
    else
        snprintf(out, size,
                 in_vietnamese(N_("%s: your COVID-19 dose %d is due from %s. Please come "
                                  "during opening hours with your ID card.")),
                 site, dose_number, dmy);
}

/* ---- the modem ---------------------------------------------------------------------------- */

typedef struct modem {
#ifdef VAX_HAVE_GAMMU
    GSM_StateMachine *sm;
    GSM_SMSC smsc;
    int have_smsc;
    int sent_folder; /* 0: keep no copy; else the phone's folder for sent messages */
    volatile int status;
#else
    int unused;
#endif
} modem;

int vax_remind_available(void)
{
#ifdef VAX_HAVE_GAMMU
    return 1;
#else
    return 0;
#endif
}

#ifdef VAX_HAVE_GAMMU
/* 1 when running, 0 sent, other: the network's or modem's refusal */
#define STATUS_WAITING (-1)

static void on_status(GSM_StateMachine *sm, int status, int ref, void *ctx)
{
    modem *m = ctx;
    (void)sm;
    (void)ref;
    m->status = status;
}

/* The folder a copy of each sent message goes to: the modem's file asks for it with
 * "[vaxsite] keep_sent = yes" (a phone shows what went out in its own list; a bare modem's SIM
 * fills up, so the default is no copy). */
static int sent_folder(GSM_StateMachine *sm, INI_Section *cfg)
{
    unsigned char *v = INI_GetValue(cfg, (const unsigned char *)"vaxsite",
                                    (const unsigned char *)"keep_sent", FALSE);
    GSM_SMSFolders f;
    int pick = 0;
    if (!v || strcmp((const char *)v, "yes") != 0)
        return 0;
    if (GSM_GetSMSFolders(sm, &f) != ERR_NONE)
        return 0;
    /* the phone's memory rather than the SIM's when both have an outbox (folders count from 1) */
    for (int i = 0; i < f.Number; i++)
        if (f.Folder[i].OutboxFolder && (!pick || f.Folder[i].Memory == MEM_ME))
            pick = i + 1;
    return pick;
}

static int modem_open(vax_db *db, const char *rc_path, modem *m)
{
    INI_Section *cfg = NULL;
    GSM_Error e;
    memset(m, 0, sizeof *m);
    GSM_InitLocales(NULL);
    if (!(m->sm = GSM_AllocStateMachine()))
        return VAX_ENOMEM;
    e = GSM_FindGammuRC(&cfg, rc_path);
    if (e == ERR_NONE)
        e = GSM_ReadConfig(cfg, GSM_GetConfig(m->sm, 0), 0);
    if (e != ERR_NONE) {
        if (cfg)
            INI_Free(cfg);
        GSM_FreeStateMachine(m->sm);
        m->sm = NULL;
        return vax_fail(db, VAX_EINVAL, "modem", _("Modem: its settings (%s) cannot be read: %s."),
                        rc_path ? rc_path : "gammurc", GSM_ErrorString(e));
    }
    GSM_SetConfigNum(m->sm, 1);
    e = GSM_InitConnection(m->sm, 1);
    if (e != ERR_NONE) {
        INI_Free(cfg);
        GSM_FreeStateMachine(m->sm);
        m->sm = NULL;
        return vax_fail(db, VAX_EIO, "modem", _("Modem: it does not answer: %s."),
                        GSM_ErrorString(e));
    }
    GSM_SetSendSMSStatusCallback(m->sm, on_status, m);
    m->smsc.Location = 1;
    m->have_smsc = GSM_GetSMSC(m->sm, &m->smsc) == ERR_NONE;
    m->sent_folder = sent_folder(m->sm, cfg);
    INI_Free(cfg);
    return VAX_OK;
}

static void modem_close(modem *m)
{
    if (!m->sm)
        return;
    GSM_TerminateConnection(m->sm);
    GSM_FreeStateMachine(m->sm);
    m->sm = NULL;
}

/* Sends body (UTF-8) to phone as one message, in parts when long (UCS-2: Vietnamese letters are
 * outside the GSM alphabet). err gets the reason on failure. */
static int modem_send(modem *m, const char *phone, const char *body, char *err, size_t n)
{
    GSM_MultiPartSMSInfo info;
    GSM_MultiSMSMessage sms;
    unsigned char *text = calloc(strlen(body) + 1, 4);
    GSM_Error e;
    int rc = VAX_OK;
    if (!text)
        return VAX_ENOMEM;
    DecodeUTF8(text, body, strlen(body));
    GSM_ClearMultiPartSMSInfo(&info);
    info.EntriesNum = 1;
    info.UnicodeCoding = TRUE;
    info.Class = -1;
    info.Entries[0].ID = SMS_ConcatenatedTextLong;
    info.Entries[0].Buffer = text;
    memset(&sms, 0, sizeof sms);
    e = GSM_EncodeMultiPartSMS(GSM_GetDebug(m->sm), &info, &sms);
    free(text);
    if (e != ERR_NONE) {
        snprintf(err, n, "%s", GSM_ErrorString(e));
        return VAX_EINVAL;
    }
    for (int i = 0; i < sms.Number && rc == VAX_OK; i++) {
        GSM_SMSMessage *part = &sms.SMS[i];
        time_t until = time(NULL) + 60;
        EncodeUnicode(part->Number, phone, strlen(phone));
        if (m->have_smsc)
            CopyUnicodeString(part->SMSC.Number, m->smsc.Number);
        part->PDU = SMS_Submit;
        m->status = STATUS_WAITING;
        e = GSM_SendSMS(m->sm, part);
        if (e != ERR_NONE) {
            snprintf(err, n, "%s", GSM_ErrorString(e));
            rc = VAX_EIO;
            break;
        }
        /* the network's answer comes through on_status */
        while (m->status == STATUS_WAITING && time(NULL) < until)
            GSM_ReadDevice(m->sm, TRUE);
        if (m->status == STATUS_WAITING) {
            snprintf(err, n, "%s", GSM_ErrorString(ERR_TIMEOUT));
            rc = VAX_EIO;
        } else if (m->status != 0) {
            snprintf(err, n, "network error %d", m->status);
            rc = VAX_EIO;
        }
    }
    if (rc == VAX_OK && m->sent_folder)
        for (int i = 0; i < sms.Number; i++) {
            sms.SMS[i].Folder = m->sent_folder;
            sms.SMS[i].State = SMS_Sent;
            /* a copy only: a full phone memory does not undo a message that went */
            (void)GSM_AddSMS(m->sm, &sms.SMS[i]);
        }
    return rc;
}
#else
static int modem_open(vax_db *db, const char *rc_path, modem *m)
{
    (void)rc_path;
    memset(m, 0, sizeof *m);
    return vax_fail(db, VAX_EINVAL, "modem", "%s",
                    _("Text messages: this build has no modem support (libgammu); use the call "
                      "list (vaxsite book --csv) instead."));
}

static void modem_close(modem *m)
{
    (void)m;
}

static int modem_send(modem *m, const char *phone, const char *body, char *err, size_t n)
{
    (void)m;
    (void)phone;
    (void)body;
    snprintf(err, n, "no modem support");
    return VAX_EINVAL;
}
#endif

/* ---- who is due ---------------------------------------------------------------------------- */

typedef struct targets {
    vax_remind_item *items;
    int n, cap;
    char day[11];
} targets;

static int add_target(targets *t, int64_t person_id, const char *name, const char *phone,
                      const char *slot_time, int dose_number)
{
    for (int i = 0; i < t->n; i++)
        if (t->items[i].person_id == person_id)
            return 0; /* booked and due the same day: one message, the booking's */
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        vax_remind_item *more = realloc(t->items, (size_t)cap * sizeof *more);
        if (!more)
            return VAX_ENOMEM;
        t->items = more;
        t->cap = cap;
    }
    vax_remind_item *it = &t->items[t->n++];
    memset(it, 0, sizeof *it);
    it->person_id = person_id;
    vax_strlcpy(it->full_name, name, sizeof it->full_name);
    vax_strlcpy(it->phone, phone, sizeof it->phone);
    vax_strlcpy(it->due_day, t->day, sizeof it->due_day);
    vax_strlcpy(it->slot_time, slot_time, sizeof it->slot_time);
    it->dose_number = dose_number;
    return 0;
}

static int from_call(const vax_call *c, void *ctx)
{
    return add_target(ctx, c->person_id, c->full_name, c->phone, c->slot_time, c->dose_number);
}

static int from_due(const vax_due *d, void *ctx)
{
    targets *t = ctx;
    /* due that very day and not booked (a booking, on any day, is what the call list covers) */
    if (d->booked_day[0] || strcmp(d->earliest, t->day) != 0)
        return 0;
    return add_target(t, d->person_id, d->full_name, d->phone, "", d->next_dose);
}

/* ---- the record ---------------------------------------------------------------------------- */

static int opted_out(vax_db *db, int64_t person_id, int *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM sms_optout WHERE person_id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the text messages"));
}

/* The message row of this person and day: its id, state and attempts (id 0 when none). */
static int message_row(vax_db *db, const vax_remind_item *it, int64_t *id, char state[16],
                       int *attempts)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, state, attempts, last_error FROM sms_message"
                                    " WHERE person_id = ?1 AND due_day = ?2");
    int rc;
    *id = 0;
    state[0] = 0;
    *attempts = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, it->person_id);
    sqlite3_bind_text(st, 2, it->due_day, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        vax_strlcpy(state, vax_col_text(st, 1), 16);
        *attempts = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? VAX_OK
               : vax_fail_sql(db, rc, _("reading the text messages"));
}

/* Writes the row as pending with one more attempt, and commits: from here on a second run
 * leaves this person alone. 0 in *claimed when another run got there first. */
static int claim(vax_db *db, vax_remind_item *it, int max_attempts, int64_t *id, int *claimed)
{
    char state[16], uuid[37];
    int attempts, rc;
    sqlite3_stmt *st;
    *claimed = 0;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = message_row(db, it, id, state, &attempts)) != VAX_OK)
        goto fail;
    it->attempts = attempts;
    if (*id && (strcmp(state, "failed") != 0 || attempts >= max_attempts)) {
        vax_tx_rollback(db);
        return VAX_OK;
    }
    if (*id) {
        st = vax_stmt(db, "UPDATE sms_message SET state = 'pending', attempts = attempts + 1,"
                          " body = ?2, phone = ?3, updated_at = ?4, updated_by = ?5 WHERE id = ?1");
        if (!st) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_int64(st, 1, *id);
    } else {
        if ((rc = vax_uuid(uuid)) != VAX_OK)
            goto fail;
        st = vax_stmt(db, "INSERT INTO sms_message(uuid, person_id, due_day, dose_number, phone,"
                          " body, state, attempts, created_at, updated_at, updated_by)"
                          " VALUES (?1, ?6, ?7, ?8, ?3, ?2, 'pending', 1, ?4, ?4, ?5)");
        if (!st) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, it->person_id);
        sqlite3_bind_text(st, 7, it->due_day, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 8, it->dose_number);
    }
    sqlite3_bind_text(st, 2, it->body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, it->phone, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, vax_now());
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 5, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("recording a text message"));
        goto fail;
    }
    if (!*id)
        *id = sqlite3_last_insert_rowid(db->sql);
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    it->attempts++;
    *claimed = 1;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

static int settle(vax_db *db, int64_t id, const vax_remind_item *it, int sent)
{
    char details[300];
    int rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    sqlite3_stmt *st =
        vax_stmt(db, "UPDATE sms_message SET state = ?2, last_error = ?3,"
                     " sent_at = ?4, updated_at = ?5, updated_by = ?6 WHERE id = ?1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, sent ? "sent" : "failed", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sent ? "" : it->error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, sent ? vax_now() : 0);
    sqlite3_bind_int64(st, 5, vax_now());
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 6, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("recording a text message"));
        goto fail;
    }
    snprintf(details, sizeof details, "%s dose %d due %s to %s, try %d%s%.100s",
             sent ? "sent" : "failed", it->dose_number, it->due_day, it->phone, it->attempts,
             sent ? "" : ": ", sent ? "" : it->error);
    if ((rc = vax_audit(db, "sms.send", "person", it->person_id, details)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------- */

int vax_remind_run(vax_db *db, const vax_remind_opts *opts,
                   void (*fn)(const vax_remind_item *it, void *ctx), void *ctx,
                   vax_remind_stats *stats)
{
    targets t;
    vax_due_filter f;
    vax_site site;
    modem m;
    char today[11], site_name[160];
    int rc, open = 0, max_attempts = opts->max_attempts > 0 ? opts->max_attempts : 3;
    vax_remind_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    memset(&t, 0, sizeof t);
    memset(&m, 0, sizeof m);
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CHECKIN)) != VAX_OK)
        return rc;
    if (opts->days < 0 || opts->days > 60)
        return vax_fail(db, VAX_EINVAL, "days", _("Days: %d is not 0 to 60."), opts->days);
    if (!opts->dry_run && !vax_remind_available())
        return modem_open(db, opts->gammurc, &m);
    vax_local_date(vax_now(), today);
    if (vax_date_add(today, opts->days, t.day) != VAX_OK)
        return vax_fail(db, VAX_EINTERNAL, NULL, "%s", _("Dose: a date could not be read."));
    if ((rc = vax_site_get(db, &site)) != VAX_OK)
        return rc;
    vax_site_display_name(&site, site_name, sizeof site_name);
    if ((rc = vax_call_list(db, t.day, t.day, -1, from_call, &t)) != VAX_OK)
        goto out;
    memset(&f, 0, sizeof f);
    f.include_not_yet = 1;
    vax_strlcpy(f.due_by, t.day, sizeof f.due_by);
    if ((rc = vax_due_list(db, &f, from_due, &t)) != VAX_OK)
        goto out;
    for (int i = 0; i < t.n; i++) {
        vax_remind_item *it = &t.items[i];
        char state[16];
        int64_t id;
        int out_, claimed;
        stats->listed++;
        vax_remind_compose(site_name, it->dose_number, it->due_day, it->slot_time, it->body,
                           sizeof it->body);
        if ((rc = opted_out(db, it->person_id, &out_)) != VAX_OK)
            goto out;
        if ((rc = message_row(db, it, &id, state, &it->attempts)) != VAX_OK)
            goto out;
        if (out_) {
            it->outcome = VAX_REMIND_OPTED_OUT;
            stats->opted_out++;
        } else if (!it->phone[0]) {
            it->outcome = VAX_REMIND_NO_PHONE;
            stats->no_phone++;
        } else if (id && (strcmp(state, "failed") != 0 || it->attempts >= max_attempts)) {
            it->outcome = VAX_REMIND_ALREADY;
            stats->already++;
        } else if (opts->dry_run) {
            it->outcome = VAX_REMIND_WOULD;
        } else {
            if (!open) {
                if ((rc = modem_open(db, opts->gammurc, &m)) != VAX_OK)
                    goto out;
                open = 1;
            }
            if ((rc = claim(db, it, max_attempts, &id, &claimed)) != VAX_OK)
                goto out;
            if (!claimed) {
                it->outcome = VAX_REMIND_ALREADY;
                stats->already++;
            } else {
                int sent =
                    modem_send(&m, it->phone, it->body, it->error, sizeof it->error) == VAX_OK;
                if ((rc = settle(db, id, it, sent)) != VAX_OK)
                    goto out;
                it->outcome = sent ? VAX_REMIND_SENT : VAX_REMIND_FAILED;
                if (sent)
                    stats->sent++;
                else
                    stats->failed++;
            }
        }
        if (fn)
            fn(it, ctx);
    }
    rc = VAX_OK;
out:
    if (open)
        modem_close(&m);
    free(t.items);
    return rc;
}

int vax_remind_exclude(vax_db *db, int64_t person_id, int include, const char *reason)
{
    vax_person p;
    sqlite3_stmt *st;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_PERSON_WRITE)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_person_get(db, person_id, &p)) != VAX_OK)
        goto fail;
    st = include ? vax_stmt(db, "DELETE FROM sms_optout WHERE person_id = ?1")
                 : vax_stmt(db, "INSERT INTO sms_optout(person_id, reason, created_at, created_by)"
                                " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(person_id) DO UPDATE SET"
                                " reason = excluded.reason");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, p.id);
    if (!include) {
        sqlite3_bind_text(st, 2, reason ? reason : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, vax_now());
        if (vax_actor_id(db))
            sqlite3_bind_int64(st, 4, vax_actor_id(db));
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("recording a text message"));
        goto fail;
    }
    if ((rc = vax_audit(db, include ? "sms.optin" : "sms.optout", "person", p.id,
                        reason ? reason : "")) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}
