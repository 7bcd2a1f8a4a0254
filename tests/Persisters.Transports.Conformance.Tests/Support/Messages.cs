namespace Persisters.Transports.Conformance.Messages;

// Message types must live in a namespace (RabbitMQ exchange names come from it).

public sealed record Ping(Guid Id);

public sealed record Announcement(Guid Id, string Via);

public sealed record BatchItem(Guid Id, int Index);

public sealed record Poison(Guid Id);

public sealed record Reminder(Guid Id);

public sealed record Blob(Guid Id, string Payload);

public sealed record SlowJob(Guid Id);

public sealed class PoisonException(string message) : Exception(message);
