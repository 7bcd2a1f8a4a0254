namespace Persisters.Transports.AzureServiceBus.Tests.Messages;

public record OrderPlaced(Guid OrderId, string Customer, int Sequence);

public record Ping(int Number);

public record Blob(string Data);

public interface IAuditEvent
{
    string What { get; }
}

public record UserRenamed(string What, string NewName) : IAuditEvent;

public record Envelope<T>(T Payload);
