namespace Persisters.Scheduling;

/// <summary>The database behind <see cref="SchedulerStore.Database" />.</summary>
public enum SchedulerDatabaseProvider
{
    Sqlite,
    MySql,
}
