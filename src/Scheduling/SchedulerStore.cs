using System.ComponentModel;

namespace Persisters.Scheduling;

/// <summary>Where Quartz keeps its jobs and triggers.</summary>
[Description("a scheduler store")]
public enum SchedulerStore
{
    /// <summary>Quartz's RAM store: schedules are lost when the process stops; one process only.</summary>
    Memory,

    /// <summary>Quartz's ADO.NET store in the application database (tables made by <see cref="QuartzSchema" />).</summary>
    Database,
}
