/*
 * Protocol v5 message bodies encoded by Cassandra's own codecs (QueryMessage,
 * ExecuteMessage, BatchMessage, PrepareMessage, ResultMessage, ErrorMessage),
 * written to tests/unit/vectors/v5_messages.json for tests/unit/v5_messages_test.ts:
 * the driver's request encoders must produce these bodies byte for byte, and its
 * response decoders must read these answers.
 *
 * Regenerate with `deno run -A scripts/vectors/run.ts generate` (see README.md).
 */
package org.apache.cassandra.transport;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.cassandra.config.DatabaseDescriptor;
import org.apache.cassandra.cql3.ColumnIdentifier;
import org.apache.cassandra.cql3.ColumnSpecification;
import org.apache.cassandra.cql3.QueryOptions;
import org.apache.cassandra.cql3.ResultSet;
import org.apache.cassandra.cql3.statements.BatchStatement;
import org.apache.cassandra.db.ConsistencyLevel;
import org.apache.cassandra.db.WriteType;
import org.apache.cassandra.db.marshal.Int32Type;
import org.apache.cassandra.db.marshal.UTF8Type;
import org.apache.cassandra.exceptions.CasWriteTimeoutException;
import org.apache.cassandra.exceptions.CasWriteUnknownResultException;
import org.apache.cassandra.exceptions.ReadFailureException;
import org.apache.cassandra.exceptions.RequestFailureReason;
import org.apache.cassandra.exceptions.WriteFailureException;
import org.apache.cassandra.exceptions.WriteTimeoutException;
import org.apache.cassandra.locator.InetAddressAndPort;
import org.apache.cassandra.transport.messages.BatchMessage;
import org.apache.cassandra.transport.messages.ErrorMessage;
import org.apache.cassandra.transport.messages.ExecuteMessage;
import org.apache.cassandra.transport.messages.PrepareMessage;
import org.apache.cassandra.transport.messages.QueryMessage;
import org.apache.cassandra.transport.messages.ResultMessage;
import org.apache.cassandra.utils.MD5Digest;

public final class MessageVectors
{
    static final ProtocolVersion V5 = ProtocolVersion.V5;
    static final StringBuilder json = new StringBuilder("{\n");

    static String hex(ByteBuf b)
    {
        StringBuilder sb = new StringBuilder();
        for (int i = b.readerIndex(); i < b.writerIndex(); i++) sb.append(String.format("%02x", b.getByte(i) & 0xff));
        return sb.toString();
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    static void put(String name, Message.Codec codec, Object message, ProtocolVersion version)
    {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(message, buf, version);
        json.append("  \"").append(name).append("\": \"").append(hex(buf)).append("\",\n");
    }

    static ByteBuffer i32(int v)
    {
        return ByteBuffer.allocate(4).putInt(0, v);
    }

    static byte[] bytes(int from, int n)
    {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
        return b;
    }

    public static void main(String[] args) throws Exception
    {
        DatabaseDescriptor.clientInitialization();
        List<ByteBuffer> one = List.of(i32(42));

        // QUERY: every v5 field, then the fewest.
        QueryOptions full = QueryOptions.create(ConsistencyLevel.QUORUM, one, false, 100, null,
                                                ConsistencyLevel.LOCAL_SERIAL, V5, "ks",
                                                1234567890123456L, 1700000000L);
        put("query_full", QueryMessage.codec, new QueryMessage("SELECT v FROM t WHERE k = ?", full), V5);
        QueryOptions bare = QueryOptions.create(ConsistencyLevel.ONE, List.of(), false, -1, null,
                                                ConsistencyLevel.SERIAL, V5, null, Long.MIN_VALUE, Long.MIN_VALUE);
        put("query_bare", QueryMessage.codec, new QueryMessage("SELECT now() FROM system.local", bare), V5);
        QueryOptions ksOnly = QueryOptions.create(ConsistencyLevel.LOCAL_ONE, List.of(), false, 5000, null,
                                                  ConsistencyLevel.SERIAL, V5, "other", Long.MIN_VALUE, Long.MIN_VALUE);
        put("query_keyspace", QueryMessage.codec, new QueryMessage("SELECT * FROM t", ksOnly), V5);

        // EXECUTE: statement id and result metadata id, then the parameters.
        MD5Digest id = MD5Digest.wrap(bytes(0x10, 16));
        MD5Digest rid = MD5Digest.wrap(bytes(0xa0, 16));
        QueryOptions exec = QueryOptions.create(ConsistencyLevel.LOCAL_QUORUM, one, true, 50, null,
                                                ConsistencyLevel.SERIAL, V5, null, Long.MIN_VALUE, 1700000001L);
        put("execute", ExecuteMessage.codec, new ExecuteMessage(id, rid, exec), V5);

        // BATCH of two prepared statements with every v5 field.
        QueryOptions batch = QueryOptions.create(ConsistencyLevel.QUORUM, List.of(), false, -1, null,
                                                 ConsistencyLevel.LOCAL_SERIAL, V5, "ks", 42L, 1700000002L);
        put("batch_full", BatchMessage.codec,
            new BatchMessage(BatchStatement.Type.UNLOGGED, List.of(id, rid), List.of(one, List.of(i32(1), i32(2))), batch), V5);
        QueryOptions batchBare = QueryOptions.create(ConsistencyLevel.ONE, List.of(), false, -1, null,
                                                     ConsistencyLevel.SERIAL, V5, null, Long.MIN_VALUE, Long.MIN_VALUE);
        put("batch_bare", BatchMessage.codec,
            new BatchMessage(BatchStatement.Type.LOGGED, List.of(id), List.of(List.of()), batchBare), V5);

        // PREPARE with and without a keyspace.
        put("prepare_keyspace", PrepareMessage.codec, new PrepareMessage("SELECT v FROM t WHERE k = ?", "ks"), V5);
        put("prepare_bare", PrepareMessage.codec, new PrepareMessage("SELECT v FROM t WHERE k = ?", null), V5);

        // RESULT Prepared: id, result metadata id, bind metadata (pk index 0), result metadata.
        ColumnSpecification k = new ColumnSpecification("ks", "t", new ColumnIdentifier("k", true), Int32Type.instance);
        ColumnSpecification v = new ColumnSpecification("ks", "t", new ColumnIdentifier("v", true), UTF8Type.instance);
        ResultSet.PreparedMetadata bind = new ResultSet.PreparedMetadata(List.of(k), new short[]{ 0 });
        ResultSet.ResultMetadata result = new ResultSet.ResultMetadata(rid, List.of(v));
        put("result_prepared", ResultMessage.codec, new ResultMessage.Prepared(id, rid, bind, result), V5);

        // RESULT Rows with Metadata_changed: the new id, then full metadata, then the rows.
        ResultSet.ResultMetadata changed = new ResultSet.ResultMetadata(rid, List.of(k, v));
        changed.setMetadataChanged();
        ResultSet rs = new ResultSet(changed, List.of(Arrays.asList(i32(7), UTF8Type.instance.decompose("seven"))));
        put("result_rows_metadata_changed", ResultMessage.codec, new ResultMessage.Rows(rs), V5);

        // ERRORs whose v5 bodies differ from v4's.
        Map<InetAddressAndPort, RequestFailureReason> reasons = new LinkedHashMap<>();
        reasons.put(InetAddressAndPort.getByName("127.0.0.2"), RequestFailureReason.READ_TOO_MANY_TOMBSTONES);
        reasons.put(InetAddressAndPort.getByName("::1"), RequestFailureReason.TIMEOUT);
        for (ProtocolVersion pv : new ProtocolVersion[]{ V5, ProtocolVersion.V4 })
        {
            String suffix = pv == V5 ? "" : "_v4";
            put("error_read_failure" + suffix, ErrorMessage.codec,
                ErrorMessage.fromExceptionNoStreamId(new ReadFailureException(ConsistencyLevel.QUORUM, 1, 2, true, reasons)), pv);
            put("error_write_failure" + suffix, ErrorMessage.codec,
                ErrorMessage.fromExceptionNoStreamId(new WriteFailureException(ConsistencyLevel.ALL, 0, 3, WriteType.BATCH, reasons)), pv);
            put("error_cas_write_timeout" + suffix, ErrorMessage.codec,
                ErrorMessage.fromExceptionNoStreamId(new CasWriteTimeoutException(WriteType.CAS, ConsistencyLevel.SERIAL, 1, 2, 3)), pv);
        }
        put("error_write_timeout", ErrorMessage.codec,
            ErrorMessage.fromExceptionNoStreamId(new WriteTimeoutException(WriteType.SIMPLE, ConsistencyLevel.ONE, 0, 1)), V5);
        put("error_cas_write_unknown", ErrorMessage.codec,
            ErrorMessage.fromExceptionNoStreamId(new CasWriteUnknownResultException(ConsistencyLevel.LOCAL_SERIAL, 1, 2)), V5);

        json.setLength(json.length() - 2);
        json.append("\n}\n");
        Files.writeString(Path.of(args[0]), json.toString());
    }
}
