using MySqlConnector;

namespace Persisters.Scheduling.Tests.Integration;

/// <summary>
/// Reads what the TestHost processes recorded in a test's MariaDB database: the table <c>deliveries</c>, one row per
/// Ping (see <c>tests/Persisters.Scheduling.TestHost</c>), which the first host to receive a Ping creates.
/// </summary>
public static class TestHostDeliveries
{
    /// <summary>A new MariaDB test database with the Quartz job-store tables (<see cref="QuartzSchema.MySql" />) created.</summary>
    public static async Task<TestDatabase> CreateWithQuartzSchemaAsync()
    {
        var database = await TestDatabase.MariaDbAsync();
        await database.ExecuteAsync(QuartzSchema.CreateStatements(QuartzSchema.MySql));
        return database;
    }

    /// <summary>(rows, deliveries summed, most deliveries of one message); 0s before the TestHost made the table.</summary>
    public static async Task<(long Rows, long Deliveries, long Max)> DeliveryCounts(this TestDatabase database)
    {
        try
        {
            return (await database.RowsAsync(
                "SELECT COUNT(*), COALESCE(SUM(deliveries), 0), COALESCE(MAX(deliveries), 0) FROM deliveries",
                reader => (reader.GetInt64(0), Convert.ToInt64(reader.GetValue(1)), Convert.ToInt64(reader.GetValue(2))))).Single();
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.NoSuchTable)
        {
            return (0, 0, 0);
        }
    }

    /// <summary>Every row of <c>deliveries</c>: the Ping's id, how many times it was delivered, the hosts that received it.</summary>
    public static Task<List<(Guid PingId, int Deliveries, string Host)>> Deliveries(this TestDatabase database) =>
        database.RowsAsync("SELECT ping_id, deliveries, host FROM deliveries", reader => (reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2)));
}
