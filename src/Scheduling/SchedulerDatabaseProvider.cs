using System.ComponentModel;

namespace Persisters.Scheduling;

/// <summary>The database behind <see cref="SchedulerStore.Database" />.</summary>
[Description("a scheduler database")]
public enum SchedulerDatabaseProvider
{
    Sqlite,
    MySql,
}
