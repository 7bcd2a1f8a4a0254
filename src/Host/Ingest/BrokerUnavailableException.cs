namespace Persisters.Host.Ingest;

/// <summary>The broker did not accept the envelopes (unavailable, refused or slower than <see cref="IngestOptions.PublishTimeout"/>).</summary>
public sealed class BrokerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
