/**
 * The SQS API in the query protocol (`Version=2012-11-05`, XML answers) end to end with the boto3
 * Debian bookworm ships (botocore 1.29, which predates SQS's move to JSON): queue lifecycle and
 * attributes, send/receive with message and system attributes (their MD5s recomputed in Python),
 * batches with a failed entry, visibility, deletes, tags, listing, FIFO order, the
 * NonExistentQueue code, an IAM denial; and, over raw HTTP, the dispatch of query requests by
 * Version and Action between SQS and SNS.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

/** boto3 comes from Debian (python3-boto3); in CI its absence fails the test. */
function boto3Skip(): string | false {
  try {
    execFileSync(PYTHON, ['-c', 'import boto3'], { stdio: 'ignore' });
    return false;
  } catch {
    return process.env.CI === 'true'
      ? false
      : `boto3 is not installed for ${PYTHON} (apt-get install python3-boto3)`;
  }
}

const SCRIPT = String.raw`
import base64, hashlib, json, os, struct, sys
import boto3
from botocore.exceptions import ClientError

sqs = boto3.client(
    "sqs",
    endpoint_url=os.environ["ENDPOINT"],
    region_name="local-1",
    aws_access_key_id=os.environ["KEY_ID"],
    aws_secret_access_key=os.environ["SECRET"],
)
out = {}


def md5_attrs(attrs):
    """MD5OfMessageAttributes as SQS computes it (boto3 1.26 does not check it: we do)."""
    lp = lambda b: struct.pack(">I", len(b)) + b
    buf = b""
    for name in sorted(attrs):
        a = attrs[name]
        buf += lp(name.encode()) + lp(a["DataType"].encode())
        if "BinaryValue" in a:
            buf += b"\x02" + lp(a["BinaryValue"])
        else:
            buf += b"\x01" + lp(a["StringValue"].encode())
    return hashlib.md5(buf).hexdigest()


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def code(fn):
    try:
        fn()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "type": type(e).__name__}
    return None


url = sqs.create_queue(
    QueueName="py-orders", Attributes={"VisibilityTimeout": "45", "DelaySeconds": "0"}, tags={"team": "py"}
)["QueueUrl"]
out["url"] = url
out["sameUrl"] = sqs.create_queue(QueueName="py-orders", Attributes={"VisibilityTimeout": "45"})["QueueUrl"] == url
out["clash"] = code(lambda: sqs.create_queue(QueueName="py-orders", Attributes={"VisibilityTimeout": "10"}))
out["getUrl"] = sqs.get_queue_url(QueueName="py-orders")["QueueUrl"]

body = "héllo <world> & \"you\"\r\nline two\r tab\t end 🎉"
attrs = {
    "color": {"DataType": "String", "StringValue": "blue & <green>"},
    "count": {"DataType": "Number", "StringValue": "42"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "kind": {"DataType": "String.custom", "StringValue": "x\r\ny"},
}
sent = sqs.send_message(
    QueueUrl=url, MessageBody=body, MessageAttributes=attrs,
    MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}},
)
out["send"] = {
    "md5Body": sent["MD5OfMessageBody"] == md5(body),
    "md5Attrs": sent.get("MD5OfMessageAttributes") == md5_attrs(attrs),
    "md5Sys": "MD5OfMessageSystemAttributes" in sent,
    "id": bool(sent.get("MessageId")),
}

batch = sqs.send_message_batch(QueueUrl=url, Entries=[
    {"Id": "a", "MessageBody": "one", "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}}},
    {"Id": "b", "MessageBody": "two", "DelaySeconds": 0},
    {"Id": "c", "MessageBody": "bad", "DelaySeconds": 5000},
])
out["batch"] = {
    "ok": sorted(e["Id"] for e in batch.get("Successful", [])),
    "md5": all(e["MD5OfMessageBody"] == md5({"a": "one", "b": "two"}[e["Id"]]) for e in batch["Successful"]),
    "failed": [{k: e[k] for k in ("Id", "Code", "SenderFault")} for e in batch.get("Failed", [])],
}

got = []
for _ in range(5):
    r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                            AttributeNames=["All"], MessageAttributeNames=["All"])
    got += r.get("Messages", [])
    if len(got) >= 3:
        break
by_body = {m["Body"]: m for m in got}
first = by_body.get(body, {})
out["receive"] = {
    "bodies": sorted(m["Body"] for m in got),
    "bodyExact": first.get("Body") == body,
    "md5Body": all(m["MD5OfBody"] == md5(m["Body"]) for m in got),
    "md5Attrs": first.get("MD5OfMessageAttributes") == md5_attrs(first.get("MessageAttributes", {})),
    "attrs": {k: v.get("StringValue", v.get("BinaryValue") and base64.b64encode(v["BinaryValue"]).decode())
              for k, v in first.get("MessageAttributes", {}).items()},
    "types": {k: v["DataType"] for k, v in first.get("MessageAttributes", {}).items()},
    "system": sorted(first.get("Attributes", {}).keys()),
    "trace": first.get("Attributes", {}).get("AWSTraceHeader"),
    "receiveCount": first.get("Attributes", {}).get("ApproximateReceiveCount"),
}

one = by_body["one"]
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=one["ReceiptHandle"], VisibilityTimeout=0)
again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
out["visibility"] = [m["Body"] for m in again.get("Messages", [])]
one = again["Messages"][0]

sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
cv = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
    {"Id": "x", "ReceiptHandle": by_body["two"]["ReceiptHandle"], "VisibilityTimeout": 60},
    {"Id": "y", "ReceiptHandle": "nope", "VisibilityTimeout": 1},
    {"Id": "z", "ReceiptHandle": by_body["one"]["ReceiptHandle"], "VisibilityTimeout": 5},
])
out["changeBatch"] = {"ok": [e["Id"] for e in cv.get("Successful", [])],
                      "failed": sorted((e["Id"], e["Code"]) for e in cv.get("Failed", []))}
dl = sqs.delete_message_batch(QueueUrl=url, Entries=[
    {"Id": "p", "ReceiptHandle": one["ReceiptHandle"]},
    {"Id": "q", "ReceiptHandle": by_body["two"]["ReceiptHandle"]},
    {"Id": "r", "ReceiptHandle": "nope"},
])
out["deleteBatch"] = {"ok": sorted(e["Id"] for e in dl.get("Successful", [])),
                      "failed": [(e["Id"], e["Code"], e["SenderFault"]) for e in dl.get("Failed", [])]}
out["emptyReceive"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])

a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
out["attributes"] = {k: a.get(k) for k in ("VisibilityTimeout", "QueueArn", "ApproximateNumberOfMessages")}
sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "1"})
out["oneAttribute"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"]
out["badAttribute"] = code(lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "99999"}))

sqs.tag_queue(QueueUrl=url, Tags={"env": "test", "owner": "me"})
sqs.untag_queue(QueueUrl=url, TagKeys=["owner"])
out["tags"] = sqs.list_queue_tags(QueueUrl=url).get("Tags")

sqs.create_queue(QueueName="py-other")
out["list"] = sorted(u.rsplit("/", 1)[1] for u in sqs.list_queues(QueueNamePrefix="py-")["QueueUrls"])
page = sqs.list_queues(MaxResults=1)
out["page"] = {"n": len(page["QueueUrls"]), "token": bool(page.get("NextToken"))}
out["listNone"] = sqs.list_queues(QueueNamePrefix="zzz").get("QueueUrls", [])

fifo = sqs.create_queue(QueueName="py-jobs.fifo",
                        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
seqs = []
for i in range(5):
    r = sqs.send_message(QueueUrl=fifo, MessageBody=f"job-{i}", MessageGroupId="g1")
    seqs.append(r.get("SequenceNumber"))
dup = sqs.send_message(QueueUrl=fifo, MessageBody="job-0", MessageGroupId="g1")
order = []
for _ in range(10):
    r = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, AttributeNames=["All"])
    ms = r.get("Messages", [])
    if not ms:
        break
    for m in ms:
        order.append((m["Body"], m["Attributes"].get("MessageGroupId")))
    sqs.delete_message_batch(QueueUrl=fifo, Entries=[
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(ms)])
out["fifo"] = {"order": [b for b, _ in order], "groups": sorted({g for _, g in order}),
               "seq": all(seqs) and seqs == sorted(seqs, key=int), "dupAccepted": bool(dup.get("MessageId"))}

missing = url.rsplit("/", 1)[0] + "/nope"
try:
    sqs.send_message(QueueUrl=missing, MessageBody="x")
    out["missing"] = None
except sqs.exceptions.QueueDoesNotExist as e:
    out["missing"] = {"caught": "QueueDoesNotExist", "code": e.response["Error"]["Code"],
                      "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
except ClientError as e:
    out["missing"] = {"caught": type(e).__name__, "code": e.response["Error"]["Code"]}
out["missingUrl"] = code(lambda: sqs.get_queue_url(QueueName="nope"))
out["emptyBatch"] = code(lambda: sqs.delete_message_batch(QueueUrl=url, Entries=[]))
out["unsupported"] = code(lambda: sqs.add_permission(QueueUrl=url, Label="l", AWSAccountIds=["1"], Actions=["*"]))

sqs.purge_queue(QueueUrl=url)
sqs.delete_queue(QueueUrl=url)
out["afterDelete"] = code(lambda: sqs.get_queue_attributes(QueueUrl=url))
print(json.dumps(out))
`;

/** A denied caller: SendMessage only. */
const DENIED_SCRIPT = `
import json, os
import boto3
from botocore.exceptions import ClientError
sqs = boto3.client("sqs", endpoint_url=os.environ["ENDPOINT"], region_name="local-1",
                   aws_access_key_id=os.environ["KEY_ID"], aws_secret_access_key=os.environ["SECRET"])
url = os.environ["QUEUE_URL"]
out = {"send": bool(sqs.send_message(QueueUrl=url, MessageBody="allowed")["MessageId"])}
try:
    sqs.receive_message(QueueUrl=url)
except ClientError as e:
    out["receive"] = {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
bad = boto3.client("sqs", endpoint_url=os.environ["ENDPOINT"], region_name="local-1",
                   aws_access_key_id=os.environ["KEY_ID"], aws_secret_access_key="wrong")
try:
    bad.list_queues()
except ClientError as e:
    out["badSignature"] = {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(out))
`;

describe('SQS query protocol e2e (Debian boto3 / botocore 1.29)', { skip: boto3Skip() }, () => {
  let p: TestPlatform;
  let dir: string;

  const python = async (script: string, env: Record<string, string>) => {
    // Async: the platform answers in this process while the script runs.
    const r = await run(PYTHON, [join(dir, script)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ENDPOINT: p.apiUrl, ...env },
      timeout: 60_000,
    }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      assert.fail(`python failed: ${e.message}\n${e.stderr ?? ''}\n${e.stdout ?? ''}`);
    });
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  };
  const form = (params: Record<string, string>) =>
    p.api('POST', '/', new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    });

  before(async () => {
    p = await startTestPlatform();
    dir = await fixture({ 'scenario.py': SCRIPT, 'denied.py': DENIED_SCRIPT });
  });
  after(() => p?.stop());

  it('serves boto3: queues, messages with attributes and MD5s, batches, FIFO, tags, errors', async () => {
    const o = await python('scenario.py', { KEY_ID: p.admin.keyId, SECRET: p.secret });
    const url = `${p.apiUrl}/000000000000/py-orders`;
    assert.equal(o.url, url);
    assert.equal(o.sameUrl, true);
    assert.deepEqual(o.clash, { code: 'QueueAlreadyExists', status: 400, type: 'QueueNameExists' });
    assert.equal(o.getUrl, url);
    assert.deepEqual(o.send, { md5Body: true, md5Attrs: true, md5Sys: true, id: true });
    assert.deepEqual(o.batch, {
      ok: ['a', 'b'],
      md5: true,
      failed: [{ Id: 'c', Code: 'InvalidParameterValue', SenderFault: true }],
    });
    const body = 'héllo <world> & "you"\r\nline two\r tab\t end 🎉';
    assert.deepEqual(o.receive, {
      bodies: [body, 'one', 'two'].sort(),
      bodyExact: true,
      md5Body: true,
      md5Attrs: true,
      attrs: { color: 'blue & <green>', count: '42', blob: 'AAH+/w==', kind: 'x\r\ny' },
      types: { color: 'String', count: 'Number', blob: 'Binary', kind: 'String.custom' },
      system: [
        'AWSTraceHeader',
        'ApproximateFirstReceiveTimestamp',
        'ApproximateReceiveCount',
        'SenderId',
        'SentTimestamp',
      ],
      trace: 'Root=1-abc',
      receiveCount: '1',
    });
    assert.deepEqual(o.visibility, ['one']);
    // A stale handle (the message was received again): the query code of MessageNotInflight.
    assert.deepEqual(o.changeBatch, {
      ok: ['x'],
      failed: [
        ['y', 'ReceiptHandleIsInvalid'],
        ['z', 'AWS.SimpleQueueService.MessageNotInflight'],
      ],
    });
    assert.deepEqual(o.deleteBatch, { ok: ['p', 'q'], failed: [['r', 'ReceiptHandleIsInvalid', true]] });
    assert.deepEqual(o.emptyReceive, []);
    assert.deepEqual(o.attributes, {
      VisibilityTimeout: '45',
      QueueArn: 'arn:aws:sqs:local-1:000000000000:py-orders',
      ApproximateNumberOfMessages: '0',
    });
    assert.deepEqual(o.oneAttribute, { DelaySeconds: '1' });
    assert.deepEqual(o.badAttribute, { code: 'InvalidAttributeValue', status: 400, type: 'ClientError' });
    assert.deepEqual(o.tags, { team: 'py', env: 'test' });
    assert.deepEqual(o.list, ['py-orders', 'py-other']);
    assert.deepEqual(o.page, { n: 1, token: true });
    assert.deepEqual(o.listNone, []);
    assert.deepEqual(o.fifo, {
      order: ['job-0', 'job-1', 'job-2', 'job-3', 'job-4'],
      groups: ['g1'],
      seq: true,
      dupAccepted: true, // and deduplicated: job-0 is received once
    });
    assert.deepEqual(o.missing, {
      caught: 'QueueDoesNotExist',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      status: 400,
    });
    assert.deepEqual(o.missingUrl, {
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      status: 400,
      type: 'QueueDoesNotExist',
    });
    assert.equal((o.emptyBatch as { code: string }).code, 'AWS.SimpleQueueService.EmptyBatchRequest');
    assert.equal((o.unsupported as { code: string }).code, 'AWS.SimpleQueueService.UnsupportedOperation');
    assert.equal((o.afterDelete as { code: string }).code, 'AWS.SimpleQueueService.NonExistentQueue');
  });

  it('answers AccessDenied to a denied action and a signature error to a bad secret', async () => {
    const c = await form({ Action: 'CreateQueue', Version: '2012-11-05', QueueName: 'py-guarded' });
    assert.equal(c.status, 200);
    const queueUrl = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(await c.text())![1]!;
    const k = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
        },
      ],
    });
    assert.equal(k.status, 201);
    const o = await python('denied.py', {
      KEY_ID: k.body.key.keyId,
      SECRET: k.body.secret,
      QUEUE_URL: queueUrl,
    });
    assert.equal(o.send, true);
    assert.deepEqual(o.receive, { code: 'AccessDenied', status: 403 });
    assert.deepEqual(o.badSignature, { code: 'InvalidClientTokenId', status: 403 });
  });

  it('dispatches query requests by Version, else by the only service with the Action', async () => {
    // No Version: ListQueues is only SQS's.
    const noVersion = await form({ Action: 'ListQueues' });
    assert.equal(noVersion.status, 200);
    const text = await noVersion.text();
    assert.match(
      text,
      /^<\?xml version="1.0"\?><ListQueuesResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/">/,
    );
    assert.match(text, /<ListQueuesResult>(<QueueUrl>[^<]+<\/QueueUrl>)*<\/ListQueuesResult>/);
    // SQS's Version with an SNS action: SQS answers it does not have the action.
    const wrong = await form({ Action: 'ListTopics', Version: '2012-11-05' });
    assert.equal(wrong.status, 400);
    const err = await wrong.text();
    assert.match(err, /<ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/">/);
    assert.match(err, /<Code>InvalidAction<\/Code>/);
    // SNS's own version still reaches SNS.
    const sns = await form({ Action: 'ListTopics', Version: '2010-03-31' });
    assert.equal(sns.status, 200);
    assert.match(
      await sns.text(),
      /<ListTopicsResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/">/,
    );
    // An operation without output answers only ResponseMetadata; one with output an (empty) result.
    const c = await form({ Action: 'CreateQueue', Version: '2012-11-05', QueueName: 'raw-q' });
    const q = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(await c.text())![1]!;
    const purge = await (await form({ Action: 'PurgeQueue', Version: '2012-11-05', QueueUrl: q })).text();
    assert.match(
      purge,
      /<PurgeQueueResponse [^>]*><ResponseMetadata><RequestId>[^<]+<\/RequestId><\/ResponseMetadata><\/PurgeQueueResponse>$/,
    );
    const empty = await (await form({ Action: 'ReceiveMessage', Version: '2012-11-05', QueueUrl: q })).text();
    assert.match(empty, /<ReceiveMessageResult><\/ReceiveMessageResult>/);
    // A missing queue: the query error document with SQS's code.
    const missing = await form({ Action: 'GetQueueUrl', Version: '2012-11-05', QueueName: 'nope' });
    assert.equal(missing.status, 400);
    assert.match(
      await missing.text(),
      /<Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>/,
    );
  });
});
