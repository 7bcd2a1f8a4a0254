namespace Persisters.Tests.Shared;

/// <summary>
/// Where the real servers are: exported by <c>eval "$(scripts/services.sh env)"</c>. A missing variable fails the test
/// with the command to run; it never skips. One helper for every test project that talks to the shared servers
/// (linked from tests/Shared).
/// </summary>
public static class TestServers
{
    public static string MySqlAdmin => Required("PERSISTERS_TEST_MYSQL_ADMIN");
    public static string RabbitMqHost => Required("PERSISTERS_TEST_RABBITMQ_HOST");
    public static ushort RabbitMqPort => ushort.Parse(Required("PERSISTERS_TEST_RABBITMQ_PORT"));
    public static Uri RabbitMqManagement => new(Required("PERSISTERS_TEST_RABBITMQ_MGMT"));
    public const string RabbitMqUser = "guest";
    public const string RabbitMqPassword = "guest";
    public static string SqsUrl => Required("PERSISTERS_TEST_SQS_URL");
    public const string SqsRegion = "us-east-1";
    /// <summary>The local SQS-compatible server accepts any credentials.</summary>
    public const string SqsAccessKey = "test";
    public const string SqsSecretKey = "test";
    /// <summary>The Service Bus test emulator: its connection string (UseDevelopmentEmulator=true) and its stats document.</summary>
    public static string ServiceBusConnectionString => Required("PERSISTERS_TEST_SERVICEBUS");
    public static Uri ServiceBusStatsUrl => new(Required("PERSISTERS_TEST_SERVICEBUS_MGMT").TrimEnd('/') + "/_emulator/stats");

    /// <summary>The value of the environment variable <paramref name="name" />; throws naming the command to run when it is unset.</summary>
    public static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Start the test servers and export their settings: scripts/services.sh up && eval \"$(scripts/services.sh env)\" (scripts/test.sh does both).");
}
