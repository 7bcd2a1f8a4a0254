using Microsoft.EntityFrameworkCore;
using Persisters.Persistence.Model;

namespace Persisters.Persistence;

/// <summary>The application database. Subclassed once per provider so each keeps its own migrations.</summary>
public abstract class PersistersDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>Characters (code points; see <see cref="ColumnText"/>) of every id, user id, tag and name column.</summary>
    public const int IdLength = 255;

    /// <summary>Characters of the environment id columns.</summary>
    public const int EnvironmentIdLength = 64;

    /// <summary>Characters of the sdk_version columns.</summary>
    public const int SdkVersionLength = 64;

    public DbSet<EvaluationEventRow> EvaluationEvents => Set<EvaluationEventRow>();
    public DbSet<GoalEventRow> GoalEvents => Set<GoalEventRow>();
    public DbSet<GoalEventRetryRow> GoalEventRetries => Set<GoalEventRetryRow>();
    public DbSet<ExperimentRow> Experiments => Set<ExperimentRow>();
    public DbSet<AutoOpsRuleRow> AutoOpsRules => Set<AutoOpsRuleRow>();
    public DbSet<OpsUserRow> OpsUsers => Set<OpsUserRow>();
    public DbSet<AutoOpsTriggerRow> AutoOpsTriggers => Set<AutoOpsTriggerRow>();
    public DbSet<OpsCountRow> OpsCounts => Set<OpsCountRow>();
    public DbSet<ExperimentResultRow> ExperimentResults => Set<ExperimentResultRow>();
    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();

    /// <summary>Large text (JSON documents); each provider names its own type.</summary>
    protected abstract string LargeTextType { get; }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Guids as lower-case text on every provider, so raw SQL and EF agree on the stored form.
        configurationBuilder.Properties<Guid>().HaveConversion<LowerCaseGuidConverter>().HaveMaxLength(36);
    }

    /// <summary>Provider-wide settings (character set, collation).</summary>
    protected virtual void ConfigureProvider(ModelBuilder b)
    {
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        ConfigureProvider(b);
        b.Entity<EvaluationEventRow>(e =>
        {
            e.ToTable("evaluation_event");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(IdLength);
            e.Property(x => x.EnvironmentId).HasColumnName("environment_id").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.Timestamp).HasColumnName("timestamp");
            e.Property(x => x.FeatureId).HasColumnName("feature_id").HasMaxLength(IdLength);
            e.Property(x => x.FeatureVersion).HasColumnName("feature_version");
            e.Property(x => x.UserId).HasColumnName("user_id").HasMaxLength(IdLength);
            e.Property(x => x.UserData).HasColumnName("user_data").HasColumnType(LargeTextType);
            e.Property(x => x.VariationId).HasColumnName("variation_id").HasMaxLength(IdLength);
            e.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(32);
            e.Property(x => x.Tag).HasColumnName("tag").HasMaxLength(IdLength);
            e.Property(x => x.SourceId).HasColumnName("source_id").HasMaxLength(32);
            e.Property(x => x.SdkVersion).HasColumnName("sdk_version").HasMaxLength(SdkVersionLength);
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            // Goal linking: the user's evaluations of one flag version, by time.
            e.HasIndex(x => new { x.EnvironmentId, x.FeatureId, x.FeatureVersion, x.UserId, x.Timestamp })
                .HasDatabaseName("ix_evaluation_event_user");
            // Calculator: all evaluations of one flag version in a time window.
            e.HasIndex(x => new { x.EnvironmentId, x.FeatureId, x.FeatureVersion, x.Timestamp })
                .HasDatabaseName("ix_evaluation_event_window");
        });

        b.Entity<GoalEventRow>(e =>
        {
            e.ToTable("goal_event");
            e.HasKey(x => new { x.Id, x.ExperimentId });
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(IdLength);
            e.Property(x => x.ExperimentId).HasColumnName("experiment_id");
            e.Property(x => x.EnvironmentId).HasColumnName("environment_id").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.Timestamp).HasColumnName("timestamp");
            e.Property(x => x.GoalId).HasColumnName("goal_id").HasMaxLength(IdLength);
            e.Property(x => x.Value).HasColumnName("value");
            e.Property(x => x.UserId).HasColumnName("user_id").HasMaxLength(IdLength);
            e.Property(x => x.UserData).HasColumnName("user_data").HasColumnType(LargeTextType);
            e.Property(x => x.Tag).HasColumnName("tag").HasMaxLength(IdLength);
            e.Property(x => x.SourceId).HasColumnName("source_id").HasMaxLength(32);
            e.Property(x => x.SdkVersion).HasColumnName("sdk_version").HasMaxLength(SdkVersionLength);
            e.Property(x => x.FeatureId).HasColumnName("feature_id").HasMaxLength(IdLength);
            e.Property(x => x.FeatureVersion).HasColumnName("feature_version");
            e.Property(x => x.VariationId).HasColumnName("variation_id").HasMaxLength(IdLength);
            e.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(32);
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => new { x.ExperimentId, x.GoalId, x.Timestamp }).HasDatabaseName("ix_goal_event_window");
        });

        b.Entity<GoalEventRetryRow>(e =>
        {
            e.ToTable("goal_event_retry");
            e.HasKey(x => x.EventId);
            e.Property(x => x.EventId).HasColumnName("event_id").HasMaxLength(IdLength);
            e.Property(x => x.EnvironmentId).HasColumnName("environment_id").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.Payload).HasColumnName("payload").HasColumnType(LargeTextType);
            e.Property(x => x.Attempts).HasColumnName("attempts");
            e.Property(x => x.FirstAttemptAt).HasColumnName("first_attempt_at");
            e.Property(x => x.NextAttemptAt).HasColumnName("next_attempt_at");
            e.HasIndex(x => x.NextAttemptAt).HasDatabaseName("ix_goal_event_retry_due");
        });

        b.Entity<ExperimentRow>(e =>
        {
            e.ToTable("experiment");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EnvironmentId).HasColumnName("environment_id").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.Name).HasColumnName("name").HasMaxLength(IdLength);
            e.Property(x => x.FeatureId).HasColumnName("feature_id").HasMaxLength(IdLength);
            e.Property(x => x.FeatureVersion).HasColumnName("feature_version");
            e.Property(x => x.Variations).HasColumnName("variations").HasColumnType(LargeTextType);
            e.Property(x => x.BaseVariationId).HasColumnName("base_variation_id").HasMaxLength(IdLength);
            e.Property(x => x.GoalIds).HasColumnName("goal_ids").HasColumnType(LargeTextType);
            e.Property(x => x.StartAt).HasColumnName("start_at");
            e.Property(x => x.StopAt).HasColumnName("stop_at");
            e.Property(x => x.StoppedAt).HasColumnName("stopped_at");
            e.Property(x => x.Status).HasColumnName("status");
            e.Property(x => x.Archived).HasColumnName("archived");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.Version).HasColumnName("version").IsConcurrencyToken();
            e.Property(x => x.StartTimerTokenId).HasColumnName("start_timer_token_id");
            e.Property(x => x.StopTimerTokenId).HasColumnName("stop_timer_token_id");
            e.Property(x => x.FinishTimerTokenId).HasColumnName("finish_timer_token_id");
            e.HasIndex(x => new { x.Status, x.StopAt }).HasDatabaseName("ix_experiment_live");
        });

        b.Entity<AutoOpsRuleRow>(e =>
        {
            e.ToTable("auto_ops_rule");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EnvironmentId).HasColumnName("environment_id").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.FeatureId).HasColumnName("feature_id").HasMaxLength(IdLength);
            e.Property(x => x.FeatureVersion).HasColumnName("feature_version");
            e.Property(x => x.Clauses).HasColumnName("clauses").HasColumnType(LargeTextType);
            // The kill switch moves a rule to Finished with a conditional UPDATE; a rule command saved over it would fail and be retried.
            e.Property(x => x.Status).HasColumnName("status").IsConcurrencyToken();
            e.Property(x => x.Deleted).HasColumnName("deleted");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.TriggeredClauseId).HasColumnName("triggered_clause_id");
            e.Property(x => x.TriggeredAt).HasColumnName("triggered_at");
            e.Property(x => x.TriggeredEvaluationCount).HasColumnName("triggered_evaluation_count");
            e.Property(x => x.TriggeredOpsEventCount).HasColumnName("triggered_ops_event_count");
            e.HasIndex(x => new { x.Status, x.Deleted }).HasDatabaseName("ix_auto_ops_rule_active");
        });

        b.Entity<AutoOpsTriggerRow>(e =>
        {
            e.ToTable("auto_ops_trigger");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.AutoOpsRuleId).HasColumnName("auto_ops_rule_id");
            e.Property(x => x.EnvironmentId).HasColumnName("environment_id").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.FeatureId).HasColumnName("feature_id").HasMaxLength(IdLength);
            e.Property(x => x.FeatureVersion).HasColumnName("feature_version");
            e.Property(x => x.ClauseId).HasColumnName("clause_id");
            e.Property(x => x.VariationId).HasColumnName("variation_id").HasMaxLength(IdLength);
            e.Property(x => x.GoalId).HasColumnName("goal_id").HasMaxLength(IdLength);
            e.Property(x => x.EvaluationCount).HasColumnName("evaluation_count");
            e.Property(x => x.OpsEventCount).HasColumnName("ops_event_count");
            e.Property(x => x.Threshold).HasColumnName("threshold");
            e.Property(x => x.Operator).HasColumnName("operator");
            e.Property(x => x.TriggeredAt).HasColumnName("triggered_at");
            e.Property(x => x.PublishedAt).HasColumnName("published_at");
            e.Property(x => x.WebhookState).HasColumnName("webhook_state");
            e.Property(x => x.WebhookAttempts).HasColumnName("webhook_attempts");
            e.Property(x => x.WebhookLastAttemptAt).HasColumnName("webhook_last_attempt_at");
            e.Property(x => x.WebhookLastError).HasColumnName("webhook_last_error").HasMaxLength(IdLength);
            e.Property(x => x.DueAt).HasColumnName("due_at");
            e.Property(x => x.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.LeaseUntil).HasColumnName("lease_until");
            // Exactly once, also as a constraint: a rule has at most one trigger.
            e.HasIndex(x => x.AutoOpsRuleId).IsUnique().HasDatabaseName("ux_auto_ops_trigger_rule");
            e.HasIndex(x => x.DueAt).HasDatabaseName("ix_auto_ops_trigger_due");
        });

        b.Entity<OpsUserRow>(e =>
        {
            e.ToTable("ops_user");
            e.HasKey(x => new { x.ClauseId, x.Kind, x.FeatureVersion, x.UserId });
            e.Property(x => x.ClauseId).HasColumnName("clause_id");
            e.Property(x => x.Kind).HasColumnName("kind");
            e.Property(x => x.FeatureVersion).HasColumnName("feature_version");
            e.Property(x => x.UserId).HasColumnName("user_id").HasMaxLength(IdLength);
        });

        b.Entity<OpsCountRow>(e =>
        {
            e.ToTable("ops_count");
            e.HasKey(x => new { x.ClauseId, x.FeatureVersion });
            e.Property(x => x.ClauseId).HasColumnName("clause_id");
            e.Property(x => x.FeatureVersion).HasColumnName("feature_version");
            e.Property(x => x.AutoOpsRuleId).HasColumnName("auto_ops_rule_id");
            e.Property(x => x.EnvironmentId).HasColumnName("environment_id").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.FeatureId).HasColumnName("feature_id").HasMaxLength(IdLength);
            e.Property(x => x.EvaluationCount).HasColumnName("evaluation_count");
            e.Property(x => x.OpsEventCount).HasColumnName("ops_event_count");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.HasIndex(x => x.AutoOpsRuleId).HasDatabaseName("ix_ops_count_rule");
        });

        b.Entity<ExperimentResultRow>(e =>
        {
            e.ToTable("experiment_result");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EnvironmentId).HasColumnName("environment_id").HasMaxLength(EnvironmentIdLength);
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.Data).HasColumnName("data").HasColumnType(LargeTextType);
        });

        b.Entity<ApiKeyRow>(e =>
        {
            e.ToTable("api_key");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(32);
            e.Property(x => x.Name).HasColumnName("name").HasMaxLength(IdLength);
            e.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(64);
            e.Property(x => x.Role).HasColumnName("role");
            e.Property(x => x.Environments).HasColumnName("environments").HasColumnType(LargeTextType);
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.RevokedAt).HasColumnName("revoked_at");
        });
    }
}
