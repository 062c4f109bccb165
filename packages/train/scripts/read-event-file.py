#!/usr/bin/env python3
"""Independent reader of TensorBoard event files, used by the tests of @dcgan/train's event writer.

It shares no code with the writer: records are unframed and checked here (TFRecord: uint64 length, masked
CRC-32C of the length, data, masked CRC-32C of the data), and each record is parsed by Google's protobuf
runtime (Debian's python3-protobuf) with message classes built at run time from TensorBoard's
event.proto / summary.proto, the subset below with the upstream field numbers and types:

    message Event {
      double wall_time = 1;
      int64 step = 2;
      oneof what { string file_version = 3; bytes graph_def = 4; Summary summary = 5; SessionLog session_log = 7; }
    }
    message SessionLog { enum SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; }
                         SessionStatus status = 1; string checkpoint_path = 2; string msg = 3; }
    message Summary {
      message Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
      message Value { string node_name = 7; string tag = 1;
                      oneof value { float simple_value = 2; bytes obsolete_old_style_histogram = 3; Image image = 4; } }
      repeated Value value = 1;
    }

Building the classes from descriptor_pb2 needs neither protoc nor TensorBoard installed.

Usage: read-event-file.py FILE   -> prints one JSON object: {"events": [...], "errors": [...], "truncated_tail": bool}
Exit status 0 when the file parsed without errors, 1 otherwise.
"""
import base64
import json
import math
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def _crc32c_table():
    table = []
    for index in range(256):
        value = index
        for _ in range(8):
            value = (value >> 1) ^ 0x82F63B78 if value & 1 else value >> 1
        table.append(value)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


# The published CRC-32C check value (RFC 3720, B.4 and the CRC catalogue): a wrong table fails here.
assert crc32c(b"123456789") == 0xE3069283, "CRC-32C self-test failed"


def _field(message, name, number, field_type, label=F.LABEL_OPTIONAL, type_name=None, oneof_index=None):
    field = message.field.add(name=name, number=number, type=field_type, label=label)
    if type_name is not None:
        field.type_name = type_name
    if oneof_index is not None:
        field.oneof_index = oneof_index


def _build_classes():
    file = descriptor_pb2.FileDescriptorProto(name="dcgan_test/tensorboard_events.proto", package="tensorboard", syntax="proto3")

    session_log = file.message_type.add(name="SessionLog")
    status = session_log.enum_type.add(name="SessionStatus")
    for name, number in (("STATUS_UNSPECIFIED", 0), ("START", 1), ("STOP", 2), ("CHECKPOINT", 3)):
        status.value.add(name=name, number=number)
    _field(session_log, "status", 1, F.TYPE_ENUM, type_name=".tensorboard.SessionLog.SessionStatus")
    _field(session_log, "checkpoint_path", 2, F.TYPE_STRING)
    _field(session_log, "msg", 3, F.TYPE_STRING)

    summary = file.message_type.add(name="Summary")
    image = summary.nested_type.add(name="Image")
    _field(image, "height", 1, F.TYPE_INT32)
    _field(image, "width", 2, F.TYPE_INT32)
    _field(image, "colorspace", 3, F.TYPE_INT32)
    _field(image, "encoded_image_string", 4, F.TYPE_BYTES)
    value = summary.nested_type.add(name="Value")
    value.oneof_decl.add(name="value")
    _field(value, "node_name", 7, F.TYPE_STRING)
    _field(value, "tag", 1, F.TYPE_STRING)
    _field(value, "simple_value", 2, F.TYPE_FLOAT, oneof_index=0)
    _field(value, "obsolete_old_style_histogram", 3, F.TYPE_BYTES, oneof_index=0)
    _field(value, "image", 4, F.TYPE_MESSAGE, type_name=".tensorboard.Summary.Image", oneof_index=0)
    _field(summary, "value", 1, F.TYPE_MESSAGE, label=F.LABEL_REPEATED, type_name=".tensorboard.Summary.Value")

    event = file.message_type.add(name="Event")
    event.oneof_decl.add(name="what")
    _field(event, "wall_time", 1, F.TYPE_DOUBLE)
    _field(event, "step", 2, F.TYPE_INT64)
    _field(event, "file_version", 3, F.TYPE_STRING, oneof_index=0)
    _field(event, "graph_def", 4, F.TYPE_BYTES, oneof_index=0)
    _field(event, "summary", 5, F.TYPE_MESSAGE, type_name=".tensorboard.Summary", oneof_index=0)
    _field(event, "session_log", 7, F.TYPE_MESSAGE, type_name=".tensorboard.SessionLog", oneof_index=0)

    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    descriptor = pool.FindMessageTypeByName("tensorboard.Event")
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


Event = _build_classes()


def read_records(data, errors):
    """Yields the payload of every complete record; returns whether the file ends inside a record."""
    offset = 0
    index = 0
    while offset < len(data):
        if len(data) - offset < 12:
            return True
        header = data[offset : offset + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[offset + 8 : offset + 12])
        if length_crc != masked_crc32c(header):
            errors.append("record %d at byte %d: length CRC mismatch" % (index, offset))
            return False
        if len(data) - offset < 12 + length + 4:
            return True
        payload = data[offset + 12 : offset + 12 + length]
        (data_crc,) = struct.unpack("<I", data[offset + 12 + length : offset + 16 + length])
        if data_crc != masked_crc32c(payload):
            errors.append("record %d at byte %d: data CRC mismatch" % (index, offset))
        yield payload
        offset += 16 + length
        index += 1
    return False


def describe(event):
    item = {"wall_time": event.wall_time, "step": event.step, "kind": event.WhichOneof("what")}
    if item["kind"] == "file_version":
        item["file_version"] = event.file_version
    elif item["kind"] == "session_log":
        item["session_status"] = event.session_log.status
    elif item["kind"] == "summary":
        scalars = {}
        images = []
        for value in event.summary.value:
            which = value.WhichOneof("value")
            if which == "simple_value":
                # JSON has no NaN or infinities: those are written as Python spells them ("nan", "inf", "-inf").
                scalars[value.tag] = value.simple_value if math.isfinite(value.simple_value) else repr(value.simple_value)
            elif which == "image":
                images.append(
                    {
                        "tag": value.tag,
                        "width": value.image.width,
                        "height": value.image.height,
                        "colorspace": value.image.colorspace,
                        "base64": base64.b64encode(value.image.encoded_image_string).decode("ascii"),
                    }
                )
        item["scalars"] = scalars
        item["images"] = images
    return item


def main(path):
    with open(path, "rb") as handle:
        data = handle.read()
    errors = []
    events = []
    records = read_records(data, errors)
    truncated = False
    while True:
        try:
            payload = next(records)
        except StopIteration as stop:
            truncated = bool(stop.value)
            break
        event = Event()
        try:
            event.ParseFromString(payload)
        except Exception as error:  # a DecodeError, named differently across protobuf versions
            errors.append("record %d: not an Event: %s" % (len(events), error))
            continue
        # Known fields only, in field-number order, proto3 defaults left out: the canonical encoding, so the
        # bytes must survive a round trip (a wrong wire type or field number would land in unknown fields).
        if event.SerializeToString() != payload:
            errors.append("record %d: not the canonical encoding of the Event it decodes to" % len(events))
        events.append(describe(event))
    json.dump({"events": events, "errors": errors, "truncated_tail": truncated}, sys.stdout)
    return 0 if not errors else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: read-event-file.py FILE\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
