using Microsoft.Data.Sqlite;

namespace Persisters.Scheduling;

/// <summary>
/// Quartz refuses its cluster mode on SQLite, and two un-clustered Quartz instances firing from one database would
/// both fire every trigger. So on SQLite exactly one process fires: the one holding an exclusive OS lock on a file
/// next to the database. The others still accept schedule requests (writing triggers into the shared file) and poll
/// for the lock; the operating system releases it when the holder exits or is killed, and the next process takes
/// over, recovering the firings the dead one left in flight (Quartz's start-up recovery).
/// </summary>
internal sealed class SqliteFiringLease : IDisposable
{
    private FileStream? _lock;

    private SqliteFiringLease(string? lockFilePath)
    {
        LockFilePath = lockFilePath;
    }

    /// <summary>Null for an in-memory database (one process only, nothing to share).</summary>
    public string? LockFilePath { get; }

    public static SqliteFiringLease Create(SchedulerOptions options)
    {
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        var dataSource = builder.DataSource;
        if (string.IsNullOrWhiteSpace(dataSource) || dataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
            return new SqliteFiringLease(null);

        var safeName = string.Concat(options.InstanceName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
        return new SqliteFiringLease(Path.GetFullPath(dataSource) + $".scheduler-{safeName}.lock");
    }

    public bool IsHeld => _lock != null || LockFilePath == null;

    public bool TryAcquire()
    {
        if (IsHeld)
            return true;

        try
        {
            // FileShare.None takes an exclusive flock() on Unix and a sharing lock on Windows; both die with the process.
            _lock = new FileStream(LockFilePath!, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
