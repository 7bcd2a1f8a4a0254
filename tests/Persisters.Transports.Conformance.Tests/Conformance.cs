using Persisters.Transports.Conformance.Tests.Transports;
using Xunit.Abstractions;

namespace Persisters.Transports.Conformance.Tests;

// One class per transport. A durable transport derives from DurableTransportConformance and gets every test.

public sealed class InMemoryConformance(ITestOutputHelper output) : TransportConformance<InMemoryTransportUnderTest>(output);

public sealed class RabbitMqConformance(ITestOutputHelper output) : DurableTransportConformance<RabbitMqTransportUnderTest>(output);

public sealed class AmazonSqsConformance(ITestOutputHelper output) : DurableTransportConformance<AmazonSqsTransportUnderTest>(output);

public sealed class AzureServiceBusConformance(ITestOutputHelper output) : DurableTransportConformance<AzureServiceBusTransportUnderTest>(output);
