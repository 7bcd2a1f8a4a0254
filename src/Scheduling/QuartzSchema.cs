using System.Text;

namespace Persisters.Scheduling;

/// <summary>
/// DDL for the tables Quartz.NET 4.7's ADO.NET job store reads and writes, under the table prefix <c>qrtz_</c>
/// (so <c>qrtz_TRIGGERS</c>, <c>qrtz_JOB_DETAILS</c>, …: Quartz appends upper-case names to the prefix, and MySQL
/// table names are case-sensitive on Linux). Every statement is idempotent (<c>CREATE … IF NOT EXISTS</c>), so a
/// migration can run them on every deploy. Quartz validates this schema at start (its default), so a missing table
/// or column fails the scheduler's start with Quartz's own message.
/// </summary>
public static class QuartzSchema
{
    public const string MySql = "MySql";
    public const string Sqlite = "Sqlite";

    /// <summary>The statements for <paramref name="provider" /> ("MySql" or "Sqlite", case-insensitive), in order.</summary>
    public static IReadOnlyList<string> CreateStatements(string provider) =>
        CreateStatements(provider, SchedulerOptions.TablePrefix);

    /// <summary>As <see cref="CreateStatements(string)" /> with another table prefix (tests only).</summary>
    public static IReadOnlyList<string> CreateStatements(string provider, string tablePrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(tablePrefix);
        if (tablePrefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')))
            throw new ArgumentException("The table prefix may contain only ASCII letters, digits and '_'.", nameof(tablePrefix));

        if (provider.Equals(MySql, StringComparison.OrdinalIgnoreCase) || provider.Equals("MariaDb", StringComparison.OrdinalIgnoreCase))
            return Tables.Select(t => RenderMySql(t, tablePrefix)).ToList();

        if (provider.Equals(Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            var statements = new List<string>();
            statements.AddRange(Tables.Select(t => RenderSqliteTable(t, tablePrefix)));
            // SQLite does not enforce foreign keys unless asked, so Quartz relies on triggers to delete a
            // trigger's detail row (simple/cron/simprop/blob) together with the trigger.
            foreach (var child in new[] { "SIMPLE_TRIGGERS", "SIMPROP_TRIGGERS", "CRON_TRIGGERS", "BLOB_TRIGGERS" })
            {
                var name = child[..^1]; // SIMPLE_TRIGGER, …
                statements.Add(
                    $"CREATE TRIGGER IF NOT EXISTS {tablePrefix}DELETE_{name} DELETE ON {tablePrefix}TRIGGERS\n" +
                    $"BEGIN\n  DELETE FROM {tablePrefix}{child} WHERE SCHED_NAME = OLD.SCHED_NAME AND TRIGGER_NAME = OLD.TRIGGER_NAME AND TRIGGER_GROUP = OLD.TRIGGER_GROUP;\nEND");
            }

            foreach (var table in Tables)
                foreach (var index in table.Indexes)
                    statements.Add(
                        $"CREATE INDEX IF NOT EXISTS IDX_{tablePrefix}{index.Name} ON {tablePrefix}{table.Name} ({string.Join(", ", index.Columns)})");
            return statements;
        }

        throw new ArgumentException($"Unknown provider '{provider}': expected '{MySql}' or '{Sqlite}'.", nameof(provider));
    }

    /// <summary>The table names (with prefix) the statements create, in creation order.</summary>
    public static IReadOnlyList<string> TableNames(string tablePrefix = SchedulerOptions.TablePrefix) =>
        Tables.Select(t => tablePrefix + t.Name).ToList();

    // ---- model -------------------------------------------------------------------------------------------

    private enum Kind
    {
        Name, // identifiers: scheduler, job, trigger, group, instance names
        Text, // free text up to Length
        LongText,
        BigInt,
        Int,
        SmallInt,
        Bool,
        Blob,
        Decimal,
    }

    private sealed record Column(string Name, Kind Kind, int Length = 0, bool Nullable = true, string? Default = null);

    private sealed record Index(string Name, params string[] Columns);

    private sealed record Table(string Name, Column[] Columns, string[] Key, string? Parent = null, string[]? ParentKey = null, bool CascadeFromParent = false)
    {
        public Index[] Indexes { get; init; } = [];
    }

    private static Column N(string name, int length, bool nullable = false) => new(name, Kind.Name, length, nullable);
    private static Column T(string name, int length, bool nullable = true) => new(name, Kind.Text, length, nullable);
    private static Column L(string name, bool nullable = true, string? @default = null) => new(name, Kind.BigInt, 0, nullable, @default);
    private static Column I(string name, bool nullable = true, string? @default = null) => new(name, Kind.Int, 0, nullable, @default);
    private static Column B(string name, bool nullable = true, string? @default = null) => new(name, Kind.Bool, 0, nullable, @default);

    private static readonly string[] TriggerKey = ["SCHED_NAME", "TRIGGER_NAME", "TRIGGER_GROUP"];
    private static readonly string[] JobKey = ["SCHED_NAME", "JOB_NAME", "JOB_GROUP"];

    // Identifier lengths: Quartz's MySQL schema uses 200 for names, its SQLite schema 150; both fit our keys
    // (trigger names are 32 hex digits plus a prefix) and we keep one length for both.
    private const int Sched = 120, Id = 200, Entry = 140;

    private static readonly Table[] Tables =
    [
        new("JOB_DETAILS",
            [
                N("SCHED_NAME", Sched), N("JOB_NAME", Id), N("JOB_GROUP", Id), T("DESCRIPTION", 250),
                T("JOB_CLASS_NAME", 250, nullable: false), B("IS_DURABLE", false), B("IS_NONCONCURRENT", false),
                B("IS_UPDATE_DATA", false), B("REQUESTS_RECOVERY", false), new("JOB_DATA", Kind.Blob),
            ],
            JobKey) { Indexes = [new("J_G_N", "SCHED_NAME", "JOB_GROUP", "JOB_NAME")] },
        new("TRIGGERS",
            [
                N("SCHED_NAME", Sched), N("TRIGGER_NAME", Id), N("TRIGGER_GROUP", Id), N("JOB_NAME", Id), N("JOB_GROUP", Id),
                T("DESCRIPTION", 250), L("NEXT_FIRE_TIME"), L("PREV_FIRE_TIME"), I("PRIORITY"),
                T("TRIGGER_STATE", 16, nullable: false), T("TRIGGER_TYPE", 8, nullable: false), L("START_TIME", false),
                L("END_TIME"), N("CALENDAR_NAME", Id, nullable: true), new("MISFIRE_INSTR", Kind.SmallInt),
                L("MISFIRE_ORIG_FIRE_TIME"), N("EXECUTION_GROUP", Id, nullable: true), N("PREFERRED_NODE", Id, nullable: true),
                B("PREFERRED_NODE_AUTO", false, "0"), T("RETRY_POLICY", 250), I("RETRY_ATTEMPT"),
                N("CONTINUES_TRIGGER_NAME", Id, nullable: true), N("CONTINUES_TRIGGER_GROUP", Id, nullable: true),
                I("CONTINUATION_CONDITION"), I("OVERLAP_POLICY"), T("PAUSE_REASON", 250), N("PAUSED_BY", Id, nullable: true),
                L("PAUSED_AT"), L("MISFIRE_THRESHOLD"), B("FIXED_DELAY"), new("JOB_DATA", Kind.Blob),
            ],
            TriggerKey, "JOB_DETAILS", JobKey)
        {
            Indexes =
            [
                new("T_J", "SCHED_NAME", "JOB_NAME", "JOB_GROUP"),
                new("T_G_N", "SCHED_NAME", "TRIGGER_GROUP", "TRIGGER_NAME"),
                new("T_C", "SCHED_NAME", "CALENDAR_NAME"),
                // the acquisition query: state, then due time, then priority
                new("T_NFT_ST", "SCHED_NAME", "TRIGGER_STATE", "NEXT_FIRE_TIME", "PRIORITY", "MISFIRE_INSTR"),
            ],
        },
        new("SIMPLE_TRIGGERS",
            [N("SCHED_NAME", Sched), N("TRIGGER_NAME", Id), N("TRIGGER_GROUP", Id), L("REPEAT_COUNT", false), L("REPEAT_INTERVAL", false), L("TIMES_TRIGGERED", false)],
            TriggerKey, "TRIGGERS", TriggerKey, CascadeFromParent: true),
        new("CRON_TRIGGERS",
            [N("SCHED_NAME", Sched), N("TRIGGER_NAME", Id), N("TRIGGER_GROUP", Id), T("CRON_EXPRESSION", 250, nullable: false), T("TIME_ZONE_ID", 80)],
            TriggerKey, "TRIGGERS", TriggerKey, CascadeFromParent: true),
        new("SIMPROP_TRIGGERS",
            [
                N("SCHED_NAME", Sched), N("TRIGGER_NAME", Id), N("TRIGGER_GROUP", Id),
                T("STR_PROP_1", 512), T("STR_PROP_2", 512), T("STR_PROP_3", 512), I("INT_PROP_1"), I("INT_PROP_2"),
                L("LONG_PROP_1"), L("LONG_PROP_2"), new("DEC_PROP_1", Kind.Decimal), new("DEC_PROP_2", Kind.Decimal),
                B("BOOL_PROP_1"), B("BOOL_PROP_2"), T("TIME_ZONE_ID", 80),
            ],
            TriggerKey, "TRIGGERS", TriggerKey, CascadeFromParent: true),
        new("BLOB_TRIGGERS",
            [N("SCHED_NAME", Sched), N("TRIGGER_NAME", Id), N("TRIGGER_GROUP", Id), new("BLOB_DATA", Kind.Blob)],
            TriggerKey, "TRIGGERS", TriggerKey, CascadeFromParent: true),
        new("CALENDARS",
            [N("SCHED_NAME", Sched), N("CALENDAR_NAME", Id), new("CALENDAR", Kind.Blob, Nullable: false)],
            ["SCHED_NAME", "CALENDAR_NAME"]),
        new("PAUSED_TRIGGER_GRPS",
            [N("SCHED_NAME", Sched), N("TRIGGER_GROUP", Id), T("PAUSE_REASON", 250), N("PAUSED_BY", Id, nullable: true), L("PAUSED_AT")],
            ["SCHED_NAME", "TRIGGER_GROUP"]),
        new("PAUSED_JOB_GRPS",
            [N("SCHED_NAME", Sched), N("JOB_GROUP", Id), T("PAUSE_REASON", 250), N("PAUSED_BY", Id, nullable: true), L("PAUSED_AT")],
            ["SCHED_NAME", "JOB_GROUP"]),
        new("FIRED_TRIGGERS",
            [
                N("SCHED_NAME", Sched), N("ENTRY_ID", Entry), N("TRIGGER_NAME", Id), N("TRIGGER_GROUP", Id), N("INSTANCE_NAME", Id),
                L("FIRED_TIME", false), L("SCHED_TIME", false), I("PRIORITY", false), T("STATE", 16, nullable: false),
                N("JOB_NAME", Id, nullable: true), N("JOB_GROUP", Id, nullable: true), B("IS_NONCONCURRENT"), B("REQUESTS_RECOVERY"),
                N("EXECUTION_GROUP", Id, nullable: true), I("PROGRESS"), T("PROGRESS_MESSAGE", 250), L("INTERRUPT_REQUESTED_TIME"),
            ],
            ["SCHED_NAME", "ENTRY_ID"])
        {
            Indexes =
            [
                new("FT_INST_JOB_REQ_RCVRY", "SCHED_NAME", "INSTANCE_NAME", "REQUESTS_RECOVERY"),
                new("FT_J_G", "SCHED_NAME", "JOB_NAME", "JOB_GROUP"),
                new("FT_T_G", "SCHED_NAME", "TRIGGER_NAME", "TRIGGER_GROUP"),
            ],
        },
        new("SCHEDULER_STATE",
            [N("SCHED_NAME", Sched), N("INSTANCE_NAME", Id), L("LAST_CHECKIN_TIME", false), L("CHECKIN_INTERVAL", false), T("QUARTZ_VERSION", 20)],
            ["SCHED_NAME", "INSTANCE_NAME"]),
        new("LOCKS",
            [N("SCHED_NAME", Sched), N("LOCK_NAME", 40)],
            ["SCHED_NAME", "LOCK_NAME"]),
        // Execution history: written only when Quartz's execution history is switched on (it is not here), but
        // part of the schema Quartz 4.7 knows, so it is created too and a later switch needs no migration.
        new("EXECUTION_HISTORY",
            [
                N("SCHED_NAME", Sched), N("ENTRY_ID", Entry), N("INSTANCE_NAME", Id), N("JOB_NAME", Id), N("JOB_GROUP", Id),
                N("TRIGGER_NAME", Id), N("TRIGGER_GROUP", Id), L("FIRED_TIME", false), L("RUN_TIME", false), B("SUCCEEDED", false),
                T("ERROR_MESSAGE", 1000), I("RETRY_ATTEMPT", false, "0"), B("RETRY_SCHEDULED", false, "0"),
                new("EXECUTION_LOG", Kind.LongText), I("RESULT"), T("SUMMARY", 1000), new("METRICS", Kind.LongText), B("MANUAL"),
                N("FIRE_INSTANCE_ID", Entry, nullable: true), new("JOB_INPUT", Kind.LongText), B("JOB_INPUT_TOO_LARGE"),
            ],
            ["SCHED_NAME", "ENTRY_ID"])
        {
            Indexes =
            [
                new("EH_FIRED_TIME", "SCHED_NAME", "FIRED_TIME"),
                new("EH_INST", "SCHED_NAME", "INSTANCE_NAME"),
                new("EH_JOB_TIME", "SCHED_NAME", "JOB_GROUP", "JOB_NAME", "FIRED_TIME"),
                new("EH_FIRE_INST", "SCHED_NAME", "FIRE_INSTANCE_ID"),
                new("EH_TRIG_TIME", "SCHED_NAME", "TRIGGER_GROUP", "TRIGGER_NAME", "FIRED_TIME"),
            ],
        },
        new("MISFIRE_HISTORY",
            [
                N("SCHED_NAME", Sched), N("ENTRY_ID", Entry), N("INSTANCE_NAME", Id), N("TRIGGER_NAME", Id), N("TRIGGER_GROUP", Id),
                N("JOB_NAME", Id, nullable: true), N("JOB_GROUP", Id, nullable: true), L("MISFIRE_TIME", false), L("SCHED_TIME"), I("REASON"),
            ],
            ["SCHED_NAME", "ENTRY_ID"])
        {
            Indexes = [new("MH_MISFIRE_TIME", "SCHED_NAME", "MISFIRE_TIME"), new("MH_INST", "SCHED_NAME", "INSTANCE_NAME")],
        },
        new("JOB_STATUS",
            [
                N("SCHED_NAME", Sched), N("JOB_GROUP", Id), N("JOB_NAME", Id), L("FIRST_FIRED_TIME", false), L("LAST_FIRED_TIME", false),
                I("LAST_RESULT", false), L("LAST_RUN_TIME", false), N("LAST_INSTANCE_NAME", Id), N("LAST_ENTRY_ID", Entry, nullable: true),
                T("LAST_SUMMARY", 1000), L("LAST_SUCCESS_TIME"), L("LAST_FAILURE_TIME"), T("LAST_FAILURE_MESSAGE", 1000),
                I("CONSECUTIVE_FAILURES", false, "0"), L("RUN_COUNT", false, "0"), L("FAILURE_COUNT", false, "0"),
            ],
            ["SCHED_NAME", "JOB_GROUP", "JOB_NAME"]),
    ];

    // ---- MySQL / MariaDB ------------------------------------------------------------------------------------

    private static string MySqlType(Column c) => c.Kind switch
    {
        Kind.Name or Kind.Text => $"VARCHAR({c.Length})",
        Kind.LongText => "LONGTEXT",
        Kind.BigInt => "BIGINT",
        Kind.Int => "INT",
        Kind.SmallInt => "SMALLINT",
        Kind.Bool => "BOOLEAN",
        Kind.Blob => "BLOB",
        Kind.Decimal => "DECIMAL(13,4)",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    private static string RenderMySql(Table table, string prefix)
    {
        var lines = new List<string>();
        foreach (var c in table.Columns)
        {
            var line = $"  `{c.Name}` {MySqlType(c)} {(c.Nullable ? "NULL" : "NOT NULL")}";
            if (c.Default != null)
                line += " DEFAULT " + (c.Kind == Kind.Bool ? (c.Default == "0" ? "FALSE" : "TRUE") : c.Default);
            lines.Add(line);
        }

        lines.Add($"  PRIMARY KEY ({Cols(table.Key)})");
        // MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB has), so the indexes live inside CREATE TABLE.
        lines.AddRange(table.Indexes.Select(i => $"  KEY `IDX_{prefix}{i.Name}` ({Cols(i.Columns)})"));
        if (table.Parent != null)
            lines.Add($"  FOREIGN KEY ({Cols(table.ParentKey!)}) REFERENCES `{prefix}{table.Parent}` ({Cols(table.ParentKey!)})");

        var sb = new StringBuilder();
        sb.Append("CREATE TABLE IF NOT EXISTS `").Append(prefix).Append(table.Name).Append("` (\n");
        sb.Append(string.Join(",\n", lines));
        // Binary collation: Quartz keys are case-sensitive strings, and utf8mb4 keeps any name a caller sends.
        sb.Append("\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
        return sb.ToString();

        static string Cols(IEnumerable<string> columns) => string.Join(", ", columns.Select(c => $"`{c}`"));
    }

    // ---- SQLite -------------------------------------------------------------------------------------------

    private static string SqliteType(Column c) => c.Kind switch
    {
        Kind.Name or Kind.Text => $"NVARCHAR({c.Length})",
        Kind.LongText => "TEXT",
        Kind.BigInt => "BIGINT",
        Kind.Int or Kind.SmallInt => "INTEGER",
        Kind.Bool => "BIT",
        Kind.Blob => "BLOB",
        Kind.Decimal => "NUMERIC",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    private static string RenderSqliteTable(Table table, string prefix)
    {
        var lines = new List<string>();
        foreach (var c in table.Columns)
        {
            var line = $"  {c.Name} {SqliteType(c)} {(c.Nullable ? "NULL" : "NOT NULL")}";
            if (c.Default != null)
                line += " DEFAULT " + c.Default;
            lines.Add(line);
        }

        lines.Add($"  PRIMARY KEY ({string.Join(", ", table.Key)})");
        if (table.Parent != null)
            lines.Add($"  FOREIGN KEY ({string.Join(", ", table.ParentKey!)}) REFERENCES {prefix}{table.Parent} ({string.Join(", ", table.ParentKey!)})"
                + (table.CascadeFromParent ? " ON DELETE CASCADE" : ""));

        return $"CREATE TABLE IF NOT EXISTS {prefix}{table.Name} (\n{string.Join(",\n", lines)}\n)";
    }
}
