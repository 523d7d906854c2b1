// Generated from the Nimbus REST API OpenAPI document (GET /v1/openapi.json, src/api/openapi.ts)
// by `npm run openapi:types`. Do not edit: change the route schemas and run it again.

export interface paths {
  "/healthz": {
    get: operations["getHealthz"];
  };
  "/metrics": {
    get: operations["getPrometheusMetrics"];
  };
  "/v1/openapi.json": {
    get: operations["getOpenapiJson"];
  };
  "/v1/functions": {
    get: operations["getFunctions"];
  };
  "/v1/functions/{name}": {
    get: operations["getFunctionsName"];
    put: operations["putFunctionsName"];
    patch: operations["patchFunctionsName"];
    delete: operations["deleteFunctionsName"];
  };
  "/v1/functions/{name}/source": {
    get: operations["getFunctionsNameSource"];
  };
  "/v1/functions/{name}/versions": {
    get: operations["getFunctionsNameVersions"];
    post: operations["postFunctionsNameVersions"];
  };
  "/v1/functions/{name}/aliases/{alias}": {
    put: operations["putFunctionsNameAliasesAlias"];
    delete: operations["deleteFunctionsNameAliasesAlias"];
  };
  "/v1/functions/{name}/aliases": {
    get: operations["getFunctionsNameAliases"];
  };
  "/v1/artifacts/{sha}": {
    get: operations["getArtifactsSha"];
  };
  "/v1/functions/{name}/invoke": {
    post: operations["postFunctionsNameInvoke"];
  };
  "/v1/functions/{name}/invoke-async": {
    post: operations["postFunctionsNameInvokeAsync"];
  };
  "/v1/invocations/{id}": {
    get: operations["getInvocationsId"];
  };
  "/v1/functions/{name}/logs": {
    get: operations["getFunctionsNameLogs"];
  };
  "/v1/settings/logs": {
    get: operations["getSettingsLogs"];
    put: operations["putSettingsLogs"];
  };
  "/v1/timers": {
    get: operations["getTimers"];
    post: operations["postTimers"];
  };
  "/v1/timers/{id}": {
    get: operations["getTimersId"];
    delete: operations["deleteTimersId"];
  };
  "/v1/queues": {
    get: operations["getQueues"];
  };
  "/v1/queues/dlq": {
    get: operations["getQueuesDlq"];
  };
  "/v1/queues/dlq/{id}": {
    get: operations["getQueuesDlqId"];
  };
  "/v1/queues/dlq/replay": {
    post: operations["postQueuesDlqReplay"];
  };
  "/v1/queues/dlq/purge": {
    post: operations["postQueuesDlqPurge"];
  };
  "/v1/sqs/queues": {
    get: operations["getSqsQueues"];
  };
  "/v1/sqs/queues/{name}/purge": {
    post: operations["postSqsQueuesNamePurge"];
  };
  "/v1/sqs/queues/{name}/redrive": {
    post: operations["postSqsQueuesNameRedrive"];
  };
  "/v1/sqs/queues/{name}/redrives": {
    get: operations["getSqsQueuesNameRedrives"];
  };
  "/v1/sqs/queues/{name}/redrives/{id}/cancel": {
    post: operations["postSqsQueuesNameRedrivesIdCancel"];
  };
  "/v1/schedules": {
    get: operations["getSchedules"];
  };
  "/v1/schedules/{name}": {
    get: operations["getSchedulesName"];
    put: operations["putSchedulesName"];
    delete: operations["deleteSchedulesName"];
  };
  "/v1/functions/{name}/schedules": {
    put: operations["putFunctionsNameSchedules"];
  };
  "/v1/workflows/{name}/schedules": {
    put: operations["putWorkflowsNameSchedules"];
  };
  "/v1/topics": {
    get: operations["getTopics"];
  };
  "/v1/topics/{topic}": {
    get: operations["getTopicsTopic"];
    put: operations["putTopicsTopic"];
    delete: operations["deleteTopicsTopic"];
  };
  "/v1/topics/{topic}/events": {
    post: operations["postTopicsTopicEvents"];
  };
  "/v1/topics/{topic}/subscriptions": {
    get: operations["getTopicsTopicSubscriptions"];
    post: operations["postTopicsTopicSubscriptions"];
  };
  "/v1/subscriptions": {
    get: operations["getSubscriptions"];
  };
  "/v1/subscriptions/{id}": {
    delete: operations["deleteSubscriptionsId"];
  };
  "/v1/functions/{name}/subscriptions": {
    put: operations["putFunctionsNameSubscriptions"];
  };
  "/v1/workflows/{name}/subscriptions": {
    put: operations["putWorkflowsNameSubscriptions"];
  };
  "/v1/webhooks": {
    get: operations["getWebhooks"];
    post: operations["postWebhooks"];
  };
  "/v1/webhooks/{id}": {
    delete: operations["deleteWebhooksId"];
  };
  "/v1/sources": {
    get: operations["getSources"];
    post: operations["postSources"];
  };
  "/v1/sources/{id}": {
    get: operations["getSourcesId"];
    delete: operations["deleteSourcesId"];
  };
  "/v1/functions/{name}/sources": {
    put: operations["putFunctionsNameSources"];
  };
  "/v1/routes": {
    get: operations["getRoutes"];
    post: operations["postRoutes"];
  };
  "/v1/routes/{id}": {
    delete: operations["deleteRoutesId"];
  };
  "/v1/gateway/cors": {
    get: operations["getGatewayCors"];
    put: operations["putGatewayCors"];
    delete: operations["deleteGatewayCors"];
  };
  "/v1/functions/{name}/routes": {
    put: operations["putFunctionsNameRoutes"];
  };
  "/v1/workflows/{name}/routes": {
    put: operations["putWorkflowsNameRoutes"];
  };
  "/v1/buckets": {
    get: operations["getBuckets"];
  };
  "/v1/buckets/{bucket}": {
    put: operations["putBucketsBucket"];
    delete: operations["deleteBucketsBucket"];
  };
  "/v1/buckets/{bucket}/notifications": {
    get: operations["getBucketsBucketNotifications"];
    put: operations["putBucketsBucketNotifications"];
  };
  "/v1/buckets/{bucket}/objects": {
    get: operations["getBucketsBucketObjects"];
  };
  "/v1/buckets/{bucket}/object": {
    get: operations["getBucketsBucketObject"];
    put: operations["putBucketsBucketObject"];
    delete: operations["deleteBucketsBucketObject"];
  };
  "/v1/functions/{name}/bucket-events": {
    put: operations["putFunctionsNameBucketEvents"];
  };
  "/v1/workflows": {
    get: operations["getWorkflows"];
  };
  "/v1/workflows/{name}": {
    get: operations["getWorkflowsName"];
    put: operations["putWorkflowsName"];
    delete: operations["deleteWorkflowsName"];
  };
  "/v1/workflows/{name}/executions": {
    get: operations["getWorkflowsNameExecutions"];
    post: operations["postWorkflowsNameExecutions"];
  };
  "/v1/executions/{arn}": {
    get: operations["getExecutionsArn"];
  };
  "/v1/executions/{arn}/stop": {
    post: operations["postExecutionsArnStop"];
  };
  "/v1/executions/{arn}/redrive": {
    post: operations["postExecutionsArnRedrive"];
  };
  "/v1/executions/{arn}/history": {
    get: operations["getExecutionsArnHistory"];
  };
  "/v1/tasks/success": {
    post: operations["postTasksSuccess"];
  };
  "/v1/tasks/failure": {
    post: operations["postTasksFailure"];
  };
  "/v1/tasks/heartbeat": {
    post: operations["postTasksHeartbeat"];
  };
  "/v1/identity": {
    get: operations["getIdentity"];
  };
  "/v1/identity/permissions": {
    post: operations["postIdentityPermissions"];
  };
  "/v1/tenants": {
    get: operations["getTenants"];
    post: operations["postTenants"];
  };
  "/v1/tenants/{id}": {
    get: operations["getTenantsId"];
    delete: operations["deleteTenantsId"];
  };
  "/v1/keys": {
    get: operations["getKeys"];
    post: operations["postKeys"];
  };
  "/v1/keys/{id}": {
    get: operations["getKeysId"];
    delete: operations["deleteKeysId"];
  };
  "/v1/keys/{id}/rotate": {
    post: operations["postKeysIdRotate"];
  };
  "/v1/keys/{id}/revoke": {
    post: operations["postKeysIdRevoke"];
  };
  "/v1/keys/{id}/policies": {
    put: operations["putKeysIdPolicies"];
  };
  "/v1/roles/{name}": {
    get: operations["getRolesName"];
    put: operations["putRolesName"];
    delete: operations["deleteRolesName"];
  };
  "/v1/roles": {
    get: operations["getRoles"];
  };
  "/v1/secrets": {
    get: operations["getSecrets"];
  };
  "/v1/secrets/{name}": {
    get: operations["getSecretsName"];
    put: operations["putSecretsName"];
    delete: operations["deleteSecretsName"];
  };
  "/v1/secrets/{name}/value": {
    get: operations["getSecretsNameValue"];
  };
  "/v1/secrets/{name}/rotate": {
    post: operations["postSecretsNameRotate"];
  };
  "/v1/secrets/rotate-master-key": {
    post: operations["postSecretsRotateMasterKey"];
  };
  "/v1/audit": {
    get: operations["getAudit"];
  };
  "/v1/audit/verify": {
    post: operations["postAuditVerify"];
  };
  "/v1/usage": {
    get: operations["getUsage"];
  };
  "/v1/prices": {
    get: operations["getPrices"];
    put: operations["putPrices"];
    delete: operations["deletePrices"];
  };
  "/v1/budgets": {
    get: operations["getBudgets"];
  };
  "/v1/budgets/{name}": {
    get: operations["getBudgetsName"];
    put: operations["putBudgetsName"];
    delete: operations["deleteBudgetsName"];
  };
  "/v1/alerts": {
    get: operations["getAlerts"];
  };
  "/v1/alerts/{name}": {
    get: operations["getAlertsName"];
    put: operations["putAlertsName"];
    delete: operations["deleteAlertsName"];
  };
  "/v1/metrics": {
    get: operations["getMetrics"];
  };
  "/v1/metrics/live": {
    get: operations["getMetricsLive"];
  };
  "/v1/status": {
    get: operations["getStatus"];
  };
  "/v1/doctor": {
    get: operations["getDoctor"];
  };
}

export interface operations {
  /** GET /healthz: Health: 200 when the platform and its store (and NATS in cluster mode) answer, else 503 */
  getHealthz: {
    parameters: {
      path?: never;
      query?: {
        /** liveness only: 200 while the process serves */
        live?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Health"];
        };
      };
      503: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Health"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /metrics: Prometheus metrics (the caller's tenant; everything for the operator) */
  getPrometheusMetrics: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "text/plain": string;
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/openapi.json: This document */
  getOpenapiJson: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["OpenApiDocument"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/functions: List functions */
  getFunctions: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["FunctionList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/functions/{name}: A function with its versions and aliases */
  getFunctionsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["FunctionDetail"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/functions/{name}: Deploy a function (create or update $LATEST; `dryRun` builds and stores only) */
  putFunctionsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["DeployRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["DeployResult"];
        };
      };
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["DeployResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PATCH /v1/functions/{name}: Change a function's configuration (null clears scaling, egress, role) */
  patchFunctionsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["UpdateFunctionRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["FunctionResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/functions/{name}: Delete a function */
  deleteFunctionsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/functions/{name}/source: Download the archive a function (or a version, or an alias) was deployed from */
  getFunctionsNameSource: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: {
        /** `$LATEST` (default), a version number or an alias (its primary version) */
        qualifier?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/zip": unknown;
          "application/x-tar": unknown;
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/functions/{name}/versions: List versions */
  getFunctionsNameVersions: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["VersionList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/functions/{name}/versions: Publish a version of $LATEST */
  postFunctionsNameVersions: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: {
      content: {
        "application/json": components['schemas']["PublishVersionRequest"];
      };
    };
    responses: {
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["VersionResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/functions/{name}/aliases/{alias}: Create or update an alias (weighted routing with additionalWeights) */
  putFunctionsNameAliasesAlias: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
        alias: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["AliasRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["AliasResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/functions/{name}/aliases/{alias}: Delete an alias */
  deleteFunctionsNameAliasesAlias: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
        alias: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/functions/{name}/aliases: List aliases */
  getFunctionsNameAliases: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["AliasList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/artifacts/{sha}: Download a code artifact (a zip) one of the tenant's functions or versions uses */
  getArtifactsSha: {
    parameters: {
      path: {
        /** a lowercase hex sha256 */
        sha: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/zip": unknown;
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/functions/{name}/invoke: Invoke synchronously */
  postFunctionsNameInvoke: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: {
        /** version or alias */
        qualifier?: string;
        /** tail: the last 4 KB of the log in logTail */
        logs?: "tail";
      };
      header?: never;
    };
    requestBody?: {
      content: {
        "application/json": unknown;
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["InvokeResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/functions/{name}/invoke-async: Invoke asynchronously: 202 once the event is committed (Location: the invocation) */
  postFunctionsNameInvokeAsync: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: {
        /** version or alias */
        qualifier?: string;
      };
      header?: {
        /** at most 256 characters; a repeat answers the first id */
        "Idempotency-Key"?: string;
      };
    };
    requestBody?: {
      content: {
        "application/json": unknown;
      };
    };
    responses: {
      202: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["AsyncSubmitted"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/invocations/{id}: Status of an async invocation */
  getInvocationsId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["InvocationView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/functions/{name}/logs: Log lines (filtered page), or a live tail as NDJSON or Server-Sent Events */
  getFunctionsNameLogs: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: {
        requestId?: string;
        version?: string;
        /** epoch ms */
        since?: number;
        /** epoch ms */
        until?: number;
        /** lowest level: debug, info, warn, error… */
        level?: string;
        /** text the line contains */
        q?: string;
        /** JSON field filters (`key=value`, `key>n`…); repeatable */
        filter?: string[];
        limit?: number;
        /** the newest lines */
        tail?: "1" | "true";
        /** cursor: the `nextSeq` of the previous page */
        afterSeq?: number;
        /** stay open: NDJSON, or SSE (`sse`) */
        follow?: "1" | "true" | "sse";
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["LogPage"];
          "application/x-ndjson": unknown;
          "text/event-stream": string;
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/settings/logs: The tenant's logs setting */
  getSettingsLogs: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["LogSettingsResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/settings/logs: Change the logs setting (merged over the current one) */
  putSettingsLogs: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["LogSettingsRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["LogSettingsResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/timers: List pending timers */
  getTimers: {
    parameters: {
      path?: never;
      query?: {
        function?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TimerList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/timers: Create a one-shot timer (at a time or after a delay) */
  postTimers: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["TimerRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TimerCreated"];
        };
      };
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TimerCreated"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/timers/{id}: A timer */
  getTimersId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["InvocationView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/timers/{id}: Cancel a timer */
  deleteTimersId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/queues: Queue statistics per function */
  getQueues: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["QueueList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/queues/dlq: List dead letters */
  getQueuesDlq: {
    parameters: {
      path?: never;
      query?: {
        function?: string;
        /** the `next` of the previous page */
        after?: string;
        limit?: number;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["DeadLetterList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/queues/dlq/{id}: A dead letter */
  getQueuesDlqId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["InvocationView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/queues/dlq/replay: Replay dead letters */
  postQueuesDlqReplay: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["DeadLetterSelection"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["DeadLettersReplayed"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/queues/dlq/purge: Purge dead letters */
  postQueuesDlqPurge: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["DeadLetterSelection"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["DeadLettersPurged"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/sqs/queues: The tenant's SQS queues: counts (where the key may sqs:GetQueueAttributes), dead-letter relations */
  getSqsQueues: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SqsQueueList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/sqs/queues/{name}/purge: Delete every message of an SQS queue (PurgeQueue) */
  postSqsQueuesNamePurge: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/sqs/queues/{name}/redrive: Move a dead-letter queue's messages back to their source queues, or to `destination` (StartMessageMoveTask; also needs sqs:ReceiveMessage and sqs:DeleteMessage on it and sqs:SendMessage on the destinations) */
  postSqsQueuesNameRedrive: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: {
      content: {
        "application/json": components['schemas']["SqsRedriveRequest"];
      };
    };
    responses: {
      202: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["MoveTaskAnswer"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/sqs/queues/{name}/redrives: A dead-letter queue's message move tasks, newest first (the last 10) */
  getSqsQueuesNameRedrives: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["MoveTaskList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/sqs/queues/{name}/redrives/{id}/cancel: Cancel a running message move task (CancelMessageMoveTask); what it moved stays moved. A task that already ended is a 409 */
  postSqsQueuesNameRedrivesIdCancel: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["MoveTaskAnswer"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/schedules: List schedules */
  getSchedules: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ScheduleList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/schedules/{name}: A schedule */
  getSchedulesName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ScheduleView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/schedules/{name}: Create or replace a schedule (cron or rate expression) */
  putSchedulesName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["ScheduleRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ScheduleView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/schedules/{name}: Delete a schedule */
  deleteSchedulesName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/functions/{name}/schedules: Replace a function's manifest schedules (what `nimbus deploy` sends) */
  putFunctionsNameSchedules: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["FunctionSchedulesRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ScheduleList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/workflows/{name}/schedules: Replace a state machine's manifest schedules */
  putWorkflowsNameSchedules: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["WorkflowSchedulesRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ScheduleList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/topics: List topics */
  getTopics: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TopicList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/topics/{topic}: A topic and its subscription count */
  getTopicsTopic: {
    parameters: {
      path: {
        topic: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TopicDetail"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/topics/{topic}: Create or update a topic */
  putTopicsTopic: {
    parameters: {
      path: {
        topic: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: {
      content: {
        "application/json": components['schemas']["TopicRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TopicView"];
        };
      };
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TopicView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/topics/{topic}: Delete a topic */
  deleteTopicsTopic: {
    parameters: {
      path: {
        topic: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/topics/{topic}/events: Publish CloudEvents (structured, batch or binary mode): 202 once every delivery is committed */
  postTopicsTopicEvents: {
    parameters: {
      path: {
        topic: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/cloudevents+json": { [key: string]: unknown };
        "application/cloudevents-batch+json": { [key: string]: unknown }[];
        "*/*": unknown;
      };
    };
    responses: {
      202: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["PublishedEvents"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/topics/{topic}/subscriptions: A topic's subscriptions */
  getTopicsTopicSubscriptions: {
    parameters: {
      path: {
        topic: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SubscriptionList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/topics/{topic}/subscriptions: Subscribe a target (function, webhook, topic, SQS queue, state machine) to a topic */
  postTopicsTopicSubscriptions: {
    parameters: {
      path: {
        topic: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["SubscriptionRequest"];
      };
    };
    responses: {
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SubscriptionView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/subscriptions: List subscriptions */
  getSubscriptions: {
    parameters: {
      path?: never;
      query?: {
        topic?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SubscriptionList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/subscriptions/{id}: Delete a subscription */
  deleteSubscriptionsId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/functions/{name}/subscriptions: Replace a function's manifest subscriptions */
  putFunctionsNameSubscriptions: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["OwnedSubscriptionsRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SubscriptionList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/workflows/{name}/subscriptions: Replace a state machine's manifest subscriptions */
  putWorkflowsNameSubscriptions: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["OwnedSubscriptionsRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SubscriptionList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/webhooks: List webhooks */
  getWebhooks: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["WebhookList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/webhooks: Create an inbound webhook (its URL publishes to a topic); a generated secret is shown once */
  postWebhooks: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["WebhookRequest"];
      };
    };
    responses: {
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["WebhookCreated"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/webhooks/{id}: Delete a webhook */
  deleteWebhooksId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/sources: List event sources */
  getSources: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SourceList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/sources: Create an event source (a broker feeding a function) */
  postSources: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["CreateSourceRequest"];
      };
    };
    responses: {
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SourceView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/sources/{id}: An event source and its status */
  getSourcesId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SourceView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/sources/{id}: Delete an event source */
  deleteSourcesId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/functions/{name}/sources: Replace a function's manifest event sources */
  putFunctionsNameSources: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["FunctionSourcesRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SourceList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/routes: List gateway routes */
  getRoutes: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["RouteList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/routes: Create a gateway route (route key → function), live without a restart */
  postRoutes: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["CreateRouteRequest"];
      };
    };
    responses: {
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["RouteResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/routes/{id}: Delete a route */
  deleteRoutesId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/gateway/cors: The tenant's gateway CORS */
  getGatewayCors: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["GatewayCors"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/gateway/cors: Set the tenant's gateway CORS (wins over routes' own) */
  putGatewayCors: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["CorsSettings"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["GatewayCors"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/gateway/cors: Remove the tenant's gateway CORS */
  deleteGatewayCors: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/functions/{name}/routes: Replace a function's routes (what `nimbus deploy` does) */
  putFunctionsNameRoutes: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["ReplaceRoutesRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["RouteList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/workflows/{name}/routes: Replace a state machine's routes (a request starts an execution) */
  putWorkflowsNameRoutes: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["ReplaceRoutesRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["RouteList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/buckets: List buckets */
  getBuckets: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["BucketList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/buckets/{bucket}: Create a bucket if the tenant has none of that name */
  putBucketsBucket: {
    parameters: {
      path: {
        bucket: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["BucketName"];
        };
      };
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["BucketName"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/buckets/{bucket}: Delete an empty bucket */
  deleteBucketsBucket: {
    parameters: {
      path: {
        bucket: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/buckets/{bucket}/notifications: A bucket's notifications */
  getBucketsBucketNotifications: {
    parameters: {
      path: {
        bucket: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["BucketNotificationList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/buckets/{bucket}/notifications: Replace a bucket's API-made notifications */
  putBucketsBucketNotifications: {
    parameters: {
      path: {
        bucket: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["BucketNotificationsRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["BucketNotificationList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/buckets/{bucket}/objects: A bucket's objects by prefix, with folders (`prefixes`) when a delimiter is given */
  getBucketsBucketObjects: {
    parameters: {
      path: {
        bucket: string;
      };
      query?: {
        /** only keys that start with it */
        prefix?: string;
        /** groups keys by it into `prefixes` (folders), usually '/' */
        delimiter?: string;
        /** continue after this key (the last answer’s `nextAfter`) */
        after?: string;
        /** objects and prefixes per page, 1..1000 (default 1000) */
        limit?: number;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ObjectList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/buckets/{bucket}/object: Download an object (as an attachment) */
  getBucketsBucketObject: {
    parameters: {
      path: {
        bucket: string;
      };
      query: {
        /** the object's key */
        key: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "*/*": unknown;
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/buckets/{bucket}/object: Upload an object (the body as is; its Content-Type is kept) */
  putBucketsBucketObject: {
    parameters: {
      path: {
        bucket: string;
      };
      query: {
        /** the object's key */
        key: string;
      };
      header?: never;
    };
    requestBody: {
      content: {
        "*/*": unknown;
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ObjectView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/buckets/{bucket}/object: Delete an object */
  deleteBucketsBucketObject: {
    parameters: {
      path: {
        bucket: string;
      };
      query: {
        /** the object's key */
        key: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/functions/{name}/bucket-events: Replace a function's manifest bucket events (missing buckets are created) */
  putFunctionsNameBucketEvents: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["FunctionBucketEventsRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["FunctionBucketEvents"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/workflows: List state machines */
  getWorkflows: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["WorkflowList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/workflows/{name}: A state machine */
  getWorkflowsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["WorkflowView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/workflows/{name}: Create or update a state machine (Amazon States Language) */
  putWorkflowsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["WorkflowRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["WorkflowView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/workflows/{name}: Delete a state machine */
  deleteWorkflowsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/workflows/{name}/executions: List executions */
  getWorkflowsNameExecutions: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: {
        status?: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE";
        limit?: number;
        /** the `nextToken` of the previous page */
        nextToken?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ExecutionList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/workflows/{name}/executions: Start an execution (`sync=1`: an EXPRESS one, answered at its end) */
  postWorkflowsNameExecutions: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: {
        /** run to the end (states:StartSyncExecution) */
        sync?: "1" | "true";
      };
      header?: never;
    };
    requestBody?: {
      content: {
        "application/json": components['schemas']["StartExecutionRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ExecutionView"];
        };
      };
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ExecutionView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/executions/{arn}: An execution (`wait`: answer once it has ended, or at the deadline) */
  getExecutionsArn: {
    parameters: {
      path: {
        /** the execution ARN, percent-encoded into one segment */
        arn: string;
      };
      query?: {
        /** seconds, at most 60 */
        wait?: number;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ExecutionView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/executions/{arn}/stop: Stop an execution */
  postExecutionsArnStop: {
    parameters: {
      path: {
        /** the execution ARN, percent-encoded into one segment */
        arn: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: {
      content: {
        "application/json": components['schemas']["StopExecutionRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ExecutionView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/executions/{arn}/redrive: Redrive a failed execution from where it failed */
  postExecutionsArnRedrive: {
    parameters: {
      path: {
        /** the execution ARN, percent-encoded into one segment */
        arn: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["ExecutionView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/executions/{arn}/history: An execution's history events */
  getExecutionsArnHistory: {
    parameters: {
      path: {
        /** the execution ARN, percent-encoded into one segment */
        arn: string;
      };
      query?: {
        limit?: number;
        /** the `nextToken` of the previous page */
        nextToken?: string;
        /** newest first */
        reverse?: "1" | "true";
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["HistoryPage"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/tasks/success: Complete a callback task */
  postTasksSuccess: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["TaskSuccessRequest"];
      };
    };
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/tasks/failure: Fail a callback task */
  postTasksFailure: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["TaskFailureRequest"];
      };
    };
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/tasks/heartbeat: Heartbeat a callback task's token */
  postTasksHeartbeat: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["TaskHeartbeatRequest"];
      };
    };
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/identity: Who the caller is (like STS GetCallerIdentity) */
  getIdentity: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Identity"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/identity/permissions: Which of the given actions the caller may perform (like IAM SimulatePrincipalPolicy on oneself) */
  postIdentityPermissions: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["PermissionsRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["PermissionsView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/tenants: List tenants */
  getTenants: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TenantList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/tenants: Create a tenant */
  postTenants: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["CreateTenantRequest"];
      };
    };
    responses: {
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TenantResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/tenants/{id}: A tenant and what it owns */
  getTenantsId: {
    parameters: {
      path: {
        id: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TenantResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/tenants/{id}: Delete a tenant (`force=true` removes everything it owns) */
  deleteTenantsId: {
    parameters: {
      path: {
        id: string;
      };
      query?: {
        force?: "true";
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["TenantDeleted"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/keys: List API keys */
  getKeys: {
    parameters: {
      path?: never;
      query?: {
        /** operators only: act on another tenant's key */
        tenant?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["KeyList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/keys: Create an API key (its secret is shown once) */
  postKeys: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["CreateKeyRequest"];
      };
    };
    responses: {
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["KeyWithSecret"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/keys/{id}: An API key */
  getKeysId: {
    parameters: {
      path: {
        id: string;
      };
      query?: {
        /** operators only: act on another tenant's key */
        tenant?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["KeyResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/keys/{id}: Delete a key */
  deleteKeysId: {
    parameters: {
      path: {
        id: string;
      };
      query?: {
        /** operators only: act on another tenant's key */
        tenant?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/keys/{id}/rotate: Rotate a key (the old secret stays valid for graceSeconds) */
  postKeysIdRotate: {
    parameters: {
      path: {
        id: string;
      };
      query?: {
        /** operators only: act on another tenant's key */
        tenant?: string;
      };
      header?: never;
    };
    requestBody?: {
      content: {
        "application/json": components['schemas']["RotateKeyRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["KeyWithSecret"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/keys/{id}/revoke: Revoke a key */
  postKeysIdRevoke: {
    parameters: {
      path: {
        id: string;
      };
      query?: {
        /** operators only: act on another tenant's key */
        tenant?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["KeyResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/keys/{id}/policies: Replace a key's policies */
  putKeysIdPolicies: {
    parameters: {
      path: {
        id: string;
      };
      query?: {
        /** operators only: act on another tenant's key */
        tenant?: string;
      };
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["KeyPoliciesRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["KeyResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/roles/{name}: An execution role */
  getRolesName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["RoleResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/roles/{name}: Create or replace an execution role */
  putRolesName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["RoleRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["RoleResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/roles/{name}: Delete an execution role */
  deleteRolesName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/roles: List execution roles */
  getRoles: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["RoleList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/secrets: List secrets (metadata) */
  getSecrets: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SecretList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/secrets/{name}: A secret's metadata (a name with `/` is percent-encoded into one segment) */
  getSecretsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SecretView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/secrets/{name}: Create a secret (secretsmanager:CreateSecret) or write a new version (PutSecretValue) */
  putSecretsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["PutSecretRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SecretView"];
        };
      };
      201: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SecretView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/secrets/{name}: Delete a secret */
  deleteSecretsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/secrets/{name}/value: A secret's value */
  getSecretsNameValue: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SecretValue"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/secrets/{name}/rotate: Rotate a secret to a new value */
  postSecretsNameRotate: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["RotateSecretRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["SecretView"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/secrets/rotate-master-key: New key-encryption key, every data key re-wrapped under it */
  postSecretsRotateMasterKey: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["MasterKeyRotation"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/audit: Query the audit log */
  getAudit: {
    parameters: {
      path?: never;
      query?: {
        principal?: string;
        action?: string;
        result?: "ok" | "denied" | "unauthenticated" | "error";
        since?: string;
        until?: string;
        after?: number;
        limit?: number;
        tenant?: string;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["AuditPage"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** POST /v1/audit/verify: Verify the audit log's hash chain */
  postAuditVerify: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["AuditVerification"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/usage: Usage with its cost, per invocation or aggregated (`by`), as JSON or CSV */
  getUsage: {
    parameters: {
      path?: never;
      query?: {
        function?: string;
        /** epoch ms */
        since?: number;
        /** epoch ms */
        until?: number;
        limit?: number;
        by?: "function" | "minute" | "hour" | "day" | "month" | "tenant";
        format?: "json" | "csv";
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["UsageReport"];
          "text/csv": string;
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/prices: The price table */
  getPrices: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Prices"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/prices: Set the operator's price table */
  putPrices: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["PriceTable"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Prices"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/prices: Remove the operator's price table (back to the file's or the defaults) */
  deletePrices: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/budgets: List budgets with their spend */
  getBudgets: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["BudgetList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/budgets/{name}: A budget */
  getBudgetsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["BudgetResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/budgets/{name}: Create or replace a budget (`action: block` caps spending) */
  putBudgetsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["BudgetRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["BudgetResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/budgets/{name}: Delete a budget */
  deleteBudgetsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/alerts: List alert rules with their state */
  getAlerts: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["AlertList"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/alerts/{name}: An alert rule */
  getAlertsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["AlertResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** PUT /v1/alerts/{name}: Create or replace an alert rule */
  putAlertsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody: {
      content: {
        "application/json": components['schemas']["AlertRuleRequest"];
      };
    };
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["AlertResult"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** DELETE /v1/alerts/{name}: Delete an alert rule */
  deleteAlertsName: {
    parameters: {
      path: {
        /** the name (percent-encoded) */
        name: string;
      };
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      204: {
        headers: { [name: string]: unknown };
        content?: never;
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/metrics: A series of a function's (or the tenant's) 1-minute rollups, aggregated into steps */
  getMetrics: {
    parameters: {
      path?: never;
      query?: {
        function?: string;
        name?: "invocations" | "errors" | "throttles" | "cold_starts" | "duration_avg" | "duration_max" | "duration_p50" | "duration_p99" | "gb_seconds";
        /** seconds */
        step?: "60" | "300" | "3600";
        /** epoch ms */
        from?: number;
        /** epoch ms */
        to?: number;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["MetricSeries"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/metrics/live: Per-function rates over the last seconds (what `nimbus top` polls) */
  getMetricsLive: {
    parameters: {
      path?: never;
      query?: {
        /** seconds */
        window?: number;
      };
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["LiveMetrics"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/status: The tenant's functions' instances (and the node's, for the operator) */
  getStatus: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["PlatformStatus"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
  /** GET /v1/doctor: Checks of the platform and the sandbox isolation */
  getDoctor: {
    parameters: {
      path?: never;
      query?: never;
      header?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["DoctorReport"];
        };
      };
      "4XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
      "5XX": {
        headers: { [name: string]: unknown };
        content: {
          "application/json": components['schemas']["Error"];
        };
      };
    };
  };
}

export interface components {
  schemas: {
    DeployRequest: {
      runtime: string;
      handler: string;
      memoryMb?: number;
      timeoutSec?: number;
      environment?: { [key: string]: string };
      description?: string;
      reservedConcurrency?: number;
      async?: {
        maximumRetryAttempts?: number;
        maximumEventAgeSec?: number;
        retryBaseDelayMs?: number;
        onSuccess?: unknown;
        onFailure?: unknown;
        maxQueueDepth?: number;
      };
      scaling?: {
        minInstances?: number;
        maxInstances?: number;
        perInstanceConcurrency?: number;
        provisionedConcurrency?: number;
        provisionedSchedule?: {
          schedule: string;
          timezone?: string;
          provisionedConcurrency: number;
        }[];
      };
      isolation?: "process" | "isolate";
      egress?: {
        mode: "none" | "internet" | "allowlist";
        allow?: {
          host: string;
          ports?: number[];
        }[];
      };
      role?: string | null;
      secrets?: string[];
      code: {
        zipBase64: string;
      } | {
        tarBase64: string;
      } | {
        sha256: string;
      };
      publish?: boolean;
      dryRun?: boolean;
    };
    UpdateFunctionRequest: {
      runtime?: string;
      handler?: string;
      memoryMb?: number;
      timeoutSec?: number;
      environment?: { [key: string]: string };
      description?: string;
      reservedConcurrency?: number | null;
      async?: {
        maximumRetryAttempts?: number;
        maximumEventAgeSec?: number;
        retryBaseDelayMs?: number;
        onSuccess?: unknown;
        onFailure?: unknown;
        maxQueueDepth?: number;
      };
      scaling?: {
        minInstances?: number;
        maxInstances?: number;
        perInstanceConcurrency?: number;
        provisionedConcurrency?: number;
        provisionedSchedule?: {
          schedule: string;
          timezone?: string;
          provisionedConcurrency: number;
        }[];
      } | null;
      isolation?: "process" | "isolate";
      egress?: {
        mode: "none" | "internet" | "allowlist";
        allow?: {
          host: string;
          ports?: number[];
        }[];
      } | null;
      role?: string | null;
      secrets?: string[];
    };
    AliasRequest: {
      functionVersion: string;
      additionalWeights?: { [key: string]: number };
      description?: string;
    };
    PublishVersionRequest: {
      description?: string;
    };
    TimerRequest: {
      target: string | {
        function: string;
        qualifier?: string;
      };
      at?: string | number;
      delaySeconds?: number;
      payload?: unknown;
      idempotencyKey?: string;
    };
    DeadLetterSelection: {
      ids?: string[];
      function?: string;
      all?: true;
    };
    BucketNotificationsRequest: {
      notifications: {
        id?: string;
        function: string;
        events: ("s3:ObjectCreated:*" | "s3:ObjectCreated:Put" | "s3:ObjectCreated:Copy" | "s3:ObjectCreated:CompleteMultipartUpload" | "s3:ObjectRemoved:*" | "s3:ObjectRemoved:Delete")[];
        prefix?: string;
        suffix?: string;
      }[];
    };
    FunctionBucketEventsRequest: {
      events: {
        bucket: string;
        events: ("s3:ObjectCreated:*" | "s3:ObjectCreated:Put" | "s3:ObjectCreated:Copy" | "s3:ObjectCreated:CompleteMultipartUpload" | "s3:ObjectRemoved:*" | "s3:ObjectRemoved:Delete")[];
        prefix?: string;
        suffix?: string;
      }[];
    };
    TopicRequest: {
      description?: string;
    };
    SubscriptionRequest: {
      pattern?: { [key: string]: unknown };
      target: string | {
        function: string;
        qualifier?: string;
        webhook?: never;
        topic?: never;
        sqs?: never;
        stateMachine?: never;
      } | {
        webhook: string;
        function?: never;
        qualifier?: never;
        topic?: never;
        sqs?: never;
        stateMachine?: never;
      } | {
        topic: string;
        function?: never;
        qualifier?: never;
        webhook?: never;
        sqs?: never;
        stateMachine?: never;
      } | {
        sqs: string;
        function?: never;
        qualifier?: never;
        webhook?: never;
        topic?: never;
        stateMachine?: never;
      } | {
        stateMachine: string;
        function?: never;
        qualifier?: never;
        webhook?: never;
        topic?: never;
        sqs?: never;
      };
      inputTransformer?: {
        inputPathsMap?: { [key: string]: string };
        inputTemplate: string;
      };
      partitionKey?: string;
      retry?: {
        maximumRetryAttempts?: number;
        maximumEventAgeSec?: number;
      };
      description?: string;
      view?: "cloudevent" | "eventbridge" | "sns";
      filterScope?: "MessageAttributes" | "MessageBody";
      raw?: boolean;
    };
    OwnedSubscriptionsRequest: {
      subscriptions: {
        pattern?: { [key: string]: unknown };
        inputTransformer?: {
          inputPathsMap?: { [key: string]: string };
          inputTemplate: string;
        };
        partitionKey?: string;
        retry?: {
          maximumRetryAttempts?: number;
          maximumEventAgeSec?: number;
        };
        description?: string;
        view?: "cloudevent" | "eventbridge" | "sns";
        filterScope?: "MessageAttributes" | "MessageBody";
        raw?: boolean;
        topic: string;
      }[];
    };
    WebhookRequest: {
      id?: string;
      topic: string;
      verification: "github" | "stripe" | "standard" | "shared-secret" | "none";
      secret?: string;
      header?: string;
      toleranceSec?: number;
      description?: string;
    };
    CreateRouteRequest: {
      routeKey: string;
      qualifier?: string;
      payloadFormat?: "1.0" | "2.0";
      auth?: {
        type: "apiKey";
        header?: string;
        keys: string[];
      } | {
        type: "jwt";
        issuer: string;
        audience: string | string[];
        jwksUrl?: string;
        publicKeys?: string[];
        scopes?: string[];
      } | {
        type: "lambda";
        function: string;
        identitySource?: string[];
        ttlSec?: number;
      };
      throttle?: {
        rateLimit: number;
        burstLimit: number;
        perKey?: boolean;
      };
      stage?: string;
      cors?: components['schemas']["CorsSettings"];
      function: string;
    };
    ReplaceRoutesRequest: {
      routes: {
        routeKey: string;
        qualifier?: string;
        payloadFormat?: "1.0" | "2.0";
        auth?: {
          type: "apiKey";
          header?: string;
          keys: string[];
        } | {
          type: "jwt";
          issuer: string;
          audience: string | string[];
          jwksUrl?: string;
          publicKeys?: string[];
          scopes?: string[];
        } | {
          type: "lambda";
          function: string;
          identitySource?: string[];
          ttlSec?: number;
        };
        throttle?: {
          rateLimit: number;
          burstLimit: number;
          perKey?: boolean;
        };
        stage?: string;
        cors?: components['schemas']["CorsSettings"];
      }[];
    };
    CorsSettings: {
      allowOrigins: string[];
      allowMethods?: string[];
      allowHeaders?: string[];
      exposeHeaders?: string[];
      allowCredentials?: boolean;
      maxAge?: number;
    };
    CreateTenantRequest: {
      id: string;
      accountId?: string;
      description?: string;
    };
    CreateKeyRequest: {
      description?: string;
      policies?: (string | { [key: string]: unknown })[];
      kind?: "user" | "service";
      expiresIn?: string;
      expiresAt?: string;
      tenant?: string;
    };
    RotateKeyRequest: {
      graceSeconds?: number;
    };
    KeyPoliciesRequest: {
      policies: (string | { [key: string]: unknown })[];
    };
    RoleRequest: {
      policies: (string | { [key: string]: unknown })[];
      description?: string;
    };
    ScheduleRequest: {
      function: string;
      qualifier?: string;
      expression: string;
      timezone?: string;
      input?: unknown;
      enabled?: boolean;
      misfire?: "fireOnce" | "skip";
      description?: string;
    };
    FunctionSchedulesRequest: {
      schedules: {
        qualifier?: string;
        expression: string;
        timezone?: string;
        input?: unknown;
        enabled?: boolean;
        misfire?: "fireOnce" | "skip";
        description?: string;
        name: string;
      }[];
    };
    WorkflowSchedulesRequest: {
      schedules: {
        expression: string;
        timezone?: string;
        input?: unknown;
        enabled?: boolean;
        misfire?: "fireOnce" | "skip";
        description?: string;
        name: string;
      }[];
    };
    PutSecretRequest: {
      value: string;
      description?: string;
    };
    RotateSecretRequest: {
      value: string;
    };
    CreateSourceRequest: {
      function: string;
      qualifier?: string;
      kind: "nats" | "jetstream" | "rabbitmq" | "mqtt" | "redis" | "postgres" | "sqs";
      config: { [key: string]: unknown };
      batchSize?: number;
      batchWindowMs?: number;
      maximumRetryAttempts?: number;
      concurrency?: number;
      enabled?: boolean;
    };
    FunctionSourcesRequest: {
      sources: {
        kind: "nats" | "jetstream" | "rabbitmq" | "mqtt" | "redis" | "postgres" | "sqs";
        config: { [key: string]: unknown };
        batchSize?: number;
        batchWindowMs?: number;
        maximumRetryAttempts?: number;
        concurrency?: number;
        enabled?: boolean;
      }[];
    };
    WorkflowRequest: {
      definition: string | { [key: string]: unknown };
      roleArn?: string;
      type?: "STANDARD" | "EXPRESS";
      description?: string;
      tags?: { [key: string]: string };
    };
    StartExecutionRequest: {
      name?: string;
      input?: unknown;
    };
    StopExecutionRequest: {
      error?: string;
      cause?: string;
    };
    TaskSuccessRequest: {
      taskToken: string;
      output?: unknown;
    };
    TaskFailureRequest: {
      taskToken: string;
      error?: string;
      cause?: string;
    };
    TaskHeartbeatRequest: {
      taskToken: string;
    };
    PriceTable: {
      currency?: string;
      entries: {
        family?: "node" | "python" | "java" | "provided";
        isolation?: "process" | "isolate";
        architecture?: "x86_64" | "arm64";
        perRequest: number;
        perGbSecond: number;
      }[];
    };
    AlertRuleRequest: {
      metric: "invocations" | "errors" | "error_rate" | "throttles" | "cold_starts" | "duration_p99" | "duration_avg" | "dead_letters" | "queue_age_sec" | "budget_percent";
      function?: string;
      budget?: string;
      op?: ">" | ">=" | "<" | "<=" | "==";
      threshold: number;
      windowSec?: number;
      forSec?: number;
      notify?: ({
        topic: string;
        function?: never;
        webhook?: never;
      } | {
        function: string;
        topic?: never;
        webhook?: never;
      } | {
        webhook: string;
        topic?: never;
        function?: never;
      })[];
      description?: string;
    };
    BudgetRequest: {
      limitUsd: number;
      period?: "monthly" | {
        days: number;
      };
      thresholds?: number[];
      action?: "block" | "notify";
      function?: string;
      topic?: string;
    };
    LogSettingsRequest: {
      retentionDays?: number;
      maxMegabytes?: number | null;
      /** regular expressions; matches are replaced by *** */
      redact?: string[];
      linesPerSecond?: number;
      bytesPerSecond?: number;
    };
    SqsRedriveRequest: {
      /** a queue of the same type; left out: each message goes back to the queue it came from */
      destination?: string;
      /** messages moved per second */
      maxPerSecond?: number;
    };
    Error: {
      error: {
        /** NIMBUS_ERR_<AREA>_<WHAT> */
        code: string;
        message: string;
        status: number;
        kind: "user" | "system";
        retryable: boolean;
        retryAfterMs?: number;
        /** how to fix it */
        hint?: string;
        details?: { [key: string]: unknown };
      };
    };
    FunctionView: {
      name: string;
      arn: string;
      runtime: string;
      handler: string;
      memoryMb: number;
      timeoutSec: number;
      environment: { [key: string]: string };
      description: string;
      reservedConcurrency: number | null;
      async: {
        maximumRetryAttempts?: number;
        maximumEventAgeSec?: number;
        retryBaseDelayMs?: number;
        onSuccess?: unknown;
        onFailure?: unknown;
        maxQueueDepth?: number;
      } | null;
      scaling: {
        minInstances?: number;
        maxInstances?: number;
        perInstanceConcurrency?: number;
        provisionedConcurrency?: number;
        provisionedSchedule?: {
          schedule: string;
          timezone?: string;
          provisionedConcurrency: number;
        }[];
      } | null;
      isolation: "process" | "isolate";
      egress: {
        mode: "none" | "internet" | "allowlist";
        allow?: {
          host: string;
          ports?: number[];
        }[];
      };
      role: string | null;
      secrets: string[];
      codeSha256: string;
      codeSize: number;
      /** sha256 of the archive it was deployed from, when the platform kept it (GET …/source) */
      sourceSha256: string | null;
      revisionId: string;
      /** ISO 8601 time */
      createdAt: string;
      /** ISO 8601 time */
      updatedAt: string;
    };
    VersionView: {
      version: string;
      arn: string;
      runtime: string;
      handler: string;
      memoryMb: number;
      timeoutSec: number;
      isolation: "process" | "isolate";
      egress: { [key: string]: unknown };
      description: string;
      codeSha256: string;
      /** ISO 8601 time */
      createdAt: string;
    };
    AliasView: {
      name: string;
      arn: string;
      functionVersion: string;
      additionalWeights: { [key: string]: number };
      description: string;
      revisionId: string;
    };
    DeployResult: {
      function: components['schemas']["FunctionView"];
      version?: components['schemas']["VersionView"];
      timings: {
        buildMs: number;
        storeMs: number;
        totalMs: number;
      };
      warnings: string[];
      unchanged: boolean;
    } | {
      dryRun: true;
      codeSha256: string;
      codeSize: number;
      exists: boolean;
      unchanged: boolean;
      timings: {
        buildMs: number;
        storeMs: number;
        totalMs: number;
      };
      warnings: string[];
    };
    FunctionList: {
      functions: components['schemas']["FunctionView"][];
    };
    FunctionDetail: {
      function: components['schemas']["FunctionView"];
      versions: components['schemas']["VersionView"][];
      aliases: components['schemas']["AliasView"][];
    };
    FunctionResult: {
      function: components['schemas']["FunctionView"];
    };
    VersionResult: {
      version: components['schemas']["VersionView"];
    };
    VersionList: {
      versions: components['schemas']["VersionView"][];
    };
    AliasResult: {
      alias: components['schemas']["AliasView"];
    };
    AliasList: {
      aliases: components['schemas']["AliasView"][];
    };
    InvokeResult: {
      requestId: string;
      version: string;
      ok: boolean;
      /** what the handler returned (ok) */
      result?: unknown;
      /** the function error (not ok): what the function's runtime reported, and the code */
      error?: {
        errorType?: string;
        errorMessage?: string;
        trace?: string[];
        /** the coded platform error (timeout, oom, crash…) */
        code?: string;
      } & { [key: string]: unknown };
      cold: boolean;
      initDurationMs?: number;
      durationMs: number;
      billedDurationMs: number;
      maxRssBytes?: number;
      memoryMb: number;
      logTail?: string;
    };
    AsyncSubmitted: {
      id: string;
      duplicate: boolean;
    };
    LogLineView: {
      seq: number;
      /** epoch ms */
      ts: number;
      requestId: string;
      version: string;
      stream: string;
      message: string;
      instanceId: string;
      level: string | null;
    };
    LogPage: {
      lines: components['schemas']["LogLineView"][];
      nextSeq: number;
      more: boolean;
    };
    RouteView: {
      id: string;
      routeKey: string;
      function: string | null;
      stateMachine?: string;
      qualifier: string | null;
      payloadFormat: "1.0" | "2.0";
      throttle: { [key: string]: unknown } | null;
      stage: string | null;
      cors: { [key: string]: unknown } | null;
      auth: { [key: string]: unknown } | null;
      /** ISO 8601 time */
      createdAt: string;
    };
    RouteResult: {
      route: components['schemas']["RouteView"];
    };
    RouteList: {
      routes: components['schemas']["RouteView"][];
    };
    TopicView: {
      name: string;
      description: string;
    };
    TopicList: {
      topics: components['schemas']["TopicView"][];
    };
    TopicDetail: {
      name: string;
      description: string;
      subscriptions: number;
    };
    SubscriptionView: {
      id: string;
      topic: string;
      /** the event pattern, or null */
      pattern: unknown;
      target: {
        function: string;
        qualifier?: string;
      } | {
        webhook: string;
      } | {
        sqs: string;
      } | {
        stateMachine: string;
      } | {
        workflow: string;
      } | {
        topic: string;
      };
      view: "cloudevent" | "eventbridge" | "sns";
      inputTransformer: { [key: string]: unknown } | null;
      partitionKey: string | null;
      retry: { [key: string]: unknown } | null;
      origin: string;
      owner: string | null;
      description: string;
      /** ISO 8601 time */
      createdAt: string;
    };
    SubscriptionList: {
      subscriptions: components['schemas']["SubscriptionView"][];
    };
    ScheduleView: {
      name: string;
      function: string | null;
      stateMachine?: string;
      qualifier: string | null;
      expression: string;
      timezone: string;
      input: unknown;
      enabled: boolean;
      misfire: "fireOnce" | "skip";
      origin: string;
      description: string;
      nextFireAt: string | null;
      lastFireAt: string | null;
      /** ISO 8601 time */
      createdAt: string;
      /** ISO 8601 time */
      updatedAt: string;
    };
    ScheduleList: {
      schedules: components['schemas']["ScheduleView"][];
    };
    Identity: {
      tenant: string;
      accountId: string;
      arn: string;
      region: string;
    };
    PermissionsRequest: {
      actions: string[];
      resource?: {
        function: string;
        stateMachine?: never;
        execution?: never;
        bucket?: never;
      } | {
        stateMachine: string;
        function?: never;
        execution?: never;
        bucket?: never;
      } | {
        execution: string;
        function?: never;
        stateMachine?: never;
        bucket?: never;
      } | {
        bucket: string;
        function?: never;
        stateMachine?: never;
        execution?: never;
      };
    };
    PermissionsView: {
      /** action → whether the caller may perform it (on the asked resource, else `*`) */
      allowed: { [key: string]: boolean };
    };
    Health: {
      ok: boolean;
      /** `?live=1`: the process serves */
      live?: true;
      /** 503: start-up is not complete */
      starting?: true;
      /** 503: a dependency in `checks` is not ok */
      degraded?: true;
      /** store (and nats in cluster mode): ok, unreachable, timeout, disconnected */
      checks?: { [key: string]: string };
    };
    OpenApiDocument: {
      openapi: "3.1.0";
      info: { [key: string]: unknown };
      paths: { [key: string]: { [key: string]: unknown } };
      components: {
        schemas: { [key: string]: unknown };
      } & { [key: string]: unknown };
    } & { [key: string]: unknown };
    InvocationError: {
      /** why it was dead-lettered: RetriesExhausted, EventAgeExceeded, FunctionNotFound, LoopDetected… */
      reason?: string;
      /** the last failure: function, timeout, oom, crash, init… */
      failure?: string;
      errorType?: string;
      errorMessage?: string;
      /** the coded platform error, when there is one */
      errorCode?: string;
    } & { [key: string]: unknown };
    InvocationView: {
      id: string;
      /** the function (`webhook:<url>`, `topic:<name>`, `sqs:<queue>` for deliveries) */
      functionName: string;
      qualifier: string | null;
      status: "queued" | "scheduled" | "running" | "retrying" | "succeeded" | "failed";
      /** who queued it: api, lambda, timer, schedule, function, destination… */
      source: string;
      attempts: number;
      failures: number;
      /** ISO 8601 time */
      submittedAt: string;
      /** ISO 8601 time */
      updatedAt: string;
      /** queued, scheduled or retrying: when it runs next */
      nextAttemptAt: string | null;
      hop: number;
      /** succeeded: the function's result */
      result?: unknown;
      /** succeeded: the version that ran */
      executedVersion?: string;
      error?: components['schemas']["InvocationError"];
      /** the event (invocations of a function) */
      payload?: unknown;
    };
    TimerCreated: {
      id: string;
      /** ISO 8601 time */
      fireAt: string;
      duplicate: boolean;
    };
    TimerList: {
      timers: components['schemas']["InvocationView"][];
    };
    QueueView: {
      functionName: string;
      queue: string;
      /** visible now and not leased */
      ready: number;
      /** waiting for a delay or a retry time */
      delayed: number;
      /** leased and running */
      inflight: number;
      /** dead letters */
      dead: number;
      /** how long the oldest deliverable message has waited */
      oldestAgeMs: number;
    };
    QueueList: {
      queues: components['schemas']["QueueView"][];
    };
    DeadLetterList: {
      deadLetters: components['schemas']["InvocationView"][];
      /** `after` for the next page (null: this page is empty) */
      next: string | null;
    };
    DeadLettersReplayed: {
      replayed: number;
    };
    DeadLettersPurged: {
      purged: number;
    };
    SqsQueueView: {
      name: string;
      /** the QueueUrl, with the origin the request used */
      url: string;
      arn: string;
      fifo: boolean;
      /** null: the key may not sqs:GetQueueAttributes on this queue */
      messages: {
        /** ApproximateNumberOfMessages */
        visible: number;
        /** ApproximateNumberOfMessagesNotVisible: received, not yet deleted */
        inflight: number;
        /** ApproximateNumberOfMessagesDelayed */
        delayed: number;
      } | null;
      /** its RedrivePolicy: where a message goes after maxReceiveCount receives */
      deadLetterQueue: {
        name: string;
        arn: string;
        maxReceiveCount: number;
      } | null;
      /** the queues whose dead-letter queue this is */
      deadLetterSources: string[];
      /** ISO 8601 time */
      createdAt: string;
    };
    SqsQueueList: {
      queues: components['schemas']["SqsQueueView"][];
    };
    MoveTaskView: {
      id: string;
      /** RUNNING: the TaskHandle CancelMessageMoveTask takes */
      handle: string | null;
      status: "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";
      /** the dead-letter queue */
      source: string;
      /** null: each message back to the queue it came from */
      destination: string | null;
      maxPerSecond: number | null;
      moved: number;
      /** its visible messages when the task started */
      toMove: number;
      /** ISO 8601 time */
      startedAt: string;
      endedAt: string | null;
      /** FAILED: why (e.g. a message with no source queue) */
      failureReason: string | null;
    };
    MoveTaskAnswer: {
      task: components['schemas']["MoveTaskView"];
    };
    MoveTaskList: {
      tasks: components['schemas']["MoveTaskView"][];
    };
    LogSettings: {
      retentionDays: number;
      /** null: no cap */
      maxMegabytes: number | null;
      /** regular expressions; matches are replaced by *** */
      redact: string[];
      linesPerSecond: number;
      bytesPerSecond: number;
    };
    LogSettingsResult: {
      logs: components['schemas']["LogSettings"];
    };
    PublishedEvents: {
      events: {
        id: string;
        /** subscriptions it went to */
        deliveries: number;
      }[];
    };
    WebhookView: {
      id: string;
      /** the gateway URL that publishes to the topic */
      url: string;
      topic: string;
      verification: "github" | "stripe" | "standard" | "shared-secret" | "none";
      /** shared-secret: the header carrying it */
      header: string | null;
      toleranceSec: number;
      description: string;
      /** ISO 8601 time */
      createdAt: string;
    };
    WebhookCreated: {
      id: string;
      /** the gateway URL that publishes to the topic */
      url: string;
      topic: string;
      verification: "github" | "stripe" | "standard" | "shared-secret" | "none";
      /** shared-secret: the header carrying it */
      header: string | null;
      toleranceSec: number;
      description: string;
      /** ISO 8601 time */
      createdAt: string;
      /** a generated signing secret, shown this once */
      secret?: string;
    };
    WebhookList: {
      webhooks: components['schemas']["WebhookView"][];
    };
    SourceView: {
      id: string;
      function: string;
      qualifier: string | null;
      kind: "nats" | "jetstream" | "rabbitmq" | "mqtt" | "redis" | "postgres" | "sqs";
      /** connector settings, credentials redacted */
      config: { [key: string]: unknown };
      batchSize: number;
      batchWindowMs: number;
      maximumRetryAttempts: number;
      concurrency: number;
      enabled: boolean;
      origin: "manifest" | "api";
      /** ISO 8601 time */
      createdAt: string;
      /** null while it is not running on this node */
      status: {
        id: string;
        kind: "nats" | "jetstream" | "rabbitmq" | "mqtt" | "redis" | "postgres" | "sqs";
        connected: boolean;
        received: number;
        succeeded: number;
        retried: number;
        deadLettered: number;
        inFlightBatches: number;
        lastError?: string;
      } | null;
    };
    SourceList: {
      sources: components['schemas']["SourceView"][];
    };
    CorsView: {
      allowOrigins: string[];
      allowMethods: string[];
      allowHeaders: string[];
      exposeHeaders: string[];
      allowCredentials: boolean;
      maxAge: number;
    };
    GatewayCors: {
      /** null: none set */
      cors: components['schemas']["CorsView"] | null;
    };
    BucketView: {
      name: string;
      /** ISO 8601 time */
      createdAt: string;
    };
    BucketList: {
      buckets: components['schemas']["BucketView"][];
    };
    BucketName: {
      name: string;
    };
    BucketNotificationView: {
      id: string;
      bucket: string;
      function: string;
      /** s3:ObjectCreated:*, s3:ObjectRemoved:Delete, … */
      events: string[];
      prefix: string | null;
      suffix: string | null;
      origin: "manifest" | "api";
    };
    BucketNotificationList: {
      notifications: components['schemas']["BucketNotificationView"][];
    };
    FunctionBucketEvents: {
      events: components['schemas']["BucketNotificationView"][];
    };
    ObjectView: {
      key: string;
      size: number;
      etag: string;
      contentType: string;
      /** ISO 8601 time */
      lastModified: string;
    };
    ObjectList: {
      objects: components['schemas']["ObjectView"][];
      /** with a delimiter: the folders under the prefix */
      prefixes: string[];
      /** `after` for the next page (null: the last page) */
      nextAfter: string | null;
    };
    WorkflowView: {
      name: string;
      arn: string;
      type: "STANDARD" | "EXPRESS";
      status: "ACTIVE";
      /** the Amazon States Language definition */
      definition: { [key: string]: unknown };
      roleArn: string;
      description: string;
      tags: { [key: string]: string };
      revisionId: string;
      /** ISO 8601 time */
      createdAt: string;
      /** ISO 8601 time */
      updatedAt: string;
    };
    WorkflowList: {
      workflows: components['schemas']["WorkflowView"][];
    };
    ExecutionView: {
      arn: string;
      name: string;
      workflow: string;
      workflowArn: string;
      status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE";
      input: unknown;
      /** null until it succeeds */
      output: unknown;
      error: string | null;
      cause: string | null;
      /** ISO 8601 time */
      startedAt: string;
      stoppedAt: string | null;
      redriveCount: number;
      redrivenAt: string | null;
      redriveStatus: "REDRIVABLE" | "NOT_REDRIVABLE" | "REDRIVABLE_BY_MAP_RUN";
    };
    ExecutionList: {
      executions: components['schemas']["ExecutionView"][];
      /** null: the last page */
      nextToken: string | null;
    };
    HistoryEventView: {
      id: number;
      previousEventId: number;
      /** ISO 8601 time */
      timestamp: string;
      type: string;
      /** the state it is about, when it names one */
      state: string | null;
      /** `{ <type>EventDetails: {...} }` (AWS's names) */
      details: { [key: string]: unknown };
    };
    HistoryPage: {
      events: components['schemas']["HistoryEventView"][];
      /** null: the last page */
      nextToken: string | null;
    };
    TenantView: {
      id: string;
      accountId: string;
      description: string;
      /** ISO 8601 time */
      createdAt: string;
    };
    TenantDetail: {
      id: string;
      accountId: string;
      description: string;
      /** ISO 8601 time */
      createdAt: string;
      /** what it owns, per kind (kinds it has none of are left out) */
      resources: { [key: string]: number };
    };
    TenantResult: {
      tenant: components['schemas']["TenantDetail"];
    };
    TenantList: {
      tenants: components['schemas']["TenantView"][];
    };
    TenantDeleted: {
      deleted: string;
      /** force=true: what was removed, per kind */
      removed: { [key: string]: number };
    };
    KeyView: {
      keyId: string;
      tenant: string;
      kind: "user" | "service";
      description: string;
      /** managed policy names or ARNs, or inline IAM policy documents */
      policies: (string | { [key: string]: unknown })[];
      status: "active" | "revoked" | "expired";
      /** ISO 8601 time */
      createdAt: string;
      expiresAt: string | null;
      /** after a rotation: until when the old secret works */
      previousSecretValidUntil: string | null;
    };
    KeyResult: {
      key: components['schemas']["KeyView"];
    };
    KeyWithSecret: {
      key: components['schemas']["KeyView"];
      /** the secret, shown this once (it is stored hashed and encrypted) */
      secret: string;
    };
    KeyList: {
      keys: components['schemas']["KeyView"][];
    };
    RoleView: {
      name: string;
      arn: string;
      description: string;
      /** managed policy names or ARNs, or inline IAM policy documents */
      policies: (string | { [key: string]: unknown })[];
      /** raised by every change: credentials minted before it stop working */
      generation: number;
      /** ISO 8601 time */
      createdAt: string;
      /** ISO 8601 time */
      updatedAt: string;
    };
    RoleResult: {
      role: components['schemas']["RoleView"];
    };
    RoleList: {
      roles: components['schemas']["RoleView"][];
    };
    SecretView: {
      name: string;
      arn: string;
      description: string;
      versionId: string;
      /** ISO 8601 time */
      createdAt: string;
      /** when the current value was written */
      updatedAt: string;
    };
    SecretValue: {
      name: string;
      arn: string;
      description: string;
      versionId: string;
      /** ISO 8601 time */
      createdAt: string;
      /** when the current value was written */
      updatedAt: string;
      value: string;
    };
    SecretList: {
      secrets: components['schemas']["SecretView"][];
    };
    MasterKeyRotation: {
      /** the key-encryption key everything is wrapped by now */
      kekId: string;
      rewrapped: number;
      /** secrets that got a new value meanwhile */
      raced: number;
      /** secrets whose data key could not be unwrapped (left as they are) */
      failed: {
        tenant: string;
        name: string;
        code: string;
      }[];
    };
    AuditRecordView: {
      seq: number;
      /** ISO 8601 time */
      time: string;
      tenant: string;
      /** key id or role session; `-` when unauthenticated */
      principal: string;
      action: string;
      resource: string;
      sourceIp: string;
      result: "ok" | "denied" | "unauthenticated" | "error";
      status: number;
      detail: string;
      /** the record's link in the hash chain */
      hash: string;
    };
    AuditPage: {
      records: components['schemas']["AuditRecordView"][];
      /** `after` for the next page; absent on the last page */
      next?: number;
    };
    AuditVerification: {
      ok: true;
      checked: number;
      /** the chain's head when verification started */
      head: {
        seq: number;
        hash: string;
      };
      /** where verification started: the last pruned record, or seq 0 */
      anchor: {
        seq: number;
        hash: string;
      };
    } | {
      ok: false;
      checked: number;
      /** the first seq where the chain breaks */
      seq: number;
      reason: string;
      /** the chain's head when verification started */
      head: {
        seq: number;
        hash: string;
      };
      /** where verification started: the last pruned record, or seq 0 */
      anchor: {
        seq: number;
        hash: string;
      };
    };
    UsageSummary: {
      invocations: number;
      errors: number;
      coldStarts: number;
      billedDurationMs: number;
      gbSeconds: number;
      costUsd: number;
    };
    UsageGroup: {
      /** the function, day (2026-12-07), month (2026-12) or tenant */
      key: string;
      invocations: number;
      errors: number;
      coldStarts: number;
      billedDurationMs: number;
      gbSeconds: number;
      costUsd: number;
    };
    UsageRecordView: {
      tenant: string;
      requestId: string;
      functionName: string;
      version: string;
      /** epoch ms */
      startedAt: number;
      durationMs: number;
      billedDurationMs: number;
      memoryMb: number;
      maxRssBytes: number;
      gbSeconds: number;
      /** present when it paid a cold start */
      initDurationMs?: number;
      outcome: "success" | "error" | "timeout" | "oom" | "crash";
      /** delivery attempt (async retries keep the request id) */
      attempt: number;
      costUsd: number;
    };
    UsageAggregate: {
      by: "function" | "minute" | "hour" | "day" | "month" | "tenant";
      groups: components['schemas']["UsageGroup"][];
      total: components['schemas']["UsageSummary"];
      currency: string;
    };
    UsageRecords: {
      records: components['schemas']["UsageRecordView"][];
      summary: components['schemas']["UsageSummary"];
      currency: string;
    };
    UsageReport: components['schemas']["UsageAggregate"] | components['schemas']["UsageRecords"];
    Prices: {
      table: components['schemas']["PriceTable"];
    };
    BudgetView: {
      tenant: string;
      name: string;
      /** absent: every function of the tenant */
      functionName?: string;
      period: {
        kind: "monthly";
      } | {
        kind: "days";
        days: number;
      };
      /** epoch ms the `days` periods count from */
      anchor: number;
      limitUsd: number;
      /** percentages of the limit, ascending */
      thresholds: number[];
      action: "block" | "notify";
      topic?: string;
      /** the highest threshold announced in the period */
      notified?: {
        /** epoch ms */
        periodStart: number;
        pct: number;
      };
      /** epoch ms */
      createdAt: number;
      /** epoch ms */
      updatedAt: number;
      /** epoch ms */
      periodStart: number;
      /** epoch ms */
      periodEnd: number;
      spentUsd: number;
      percent: number;
      /** a block budget at or over its limit: its invocations are refused */
      blocking: boolean;
    };
    BudgetResult: {
      budget: components['schemas']["BudgetView"];
    };
    BudgetList: {
      budgets: components['schemas']["BudgetView"][];
    };
    AlertRuleView: {
      name: string;
      metric: "invocations" | "errors" | "error_rate" | "throttles" | "cold_starts" | "duration_p99" | "duration_avg" | "dead_letters" | "queue_age_sec" | "budget_percent";
      /** absent: every function of the tenant, summed */
      function?: string;
      /** budget_percent: the budget */
      budget?: string;
      op: ">" | ">=" | "<" | "<=" | "==";
      threshold: number;
      windowSec: number;
      forSec: number;
      notify: ({
        topic: string;
      } | {
        function: string;
      } | {
        webhook: string;
      })[];
      description?: string;
      state: "ok" | "pending" | "firing";
      /** epoch ms the state began (0: never evaluated) */
      since: number;
      /** the last value (null: no data) */
      value: number | null;
      /** epoch ms (0: never evaluated) */
      evaluatedAt: number;
    };
    AlertResult: {
      alert: components['schemas']["AlertRuleView"];
    };
    AlertList: {
      alerts: components['schemas']["AlertRuleView"][];
    };
    MetricSeries: {
      /** null: the tenant's functions summed */
      function: string | null;
      name: "invocations" | "errors" | "throttles" | "cold_starts" | "duration_avg" | "duration_max" | "duration_p50" | "duration_p99" | "gb_seconds";
      /** seconds */
      step: number;
      /** epoch ms */
      from: number;
      /** epoch ms */
      to: number;
      /** [t, value]: counts are 0 for empty steps; durations leave empty steps out */
      points: [number, number][];
    };
    LiveFunction: {
      function: string;
      invocationsPerSec: number;
      errorsPerSec: number;
      throttlesPerSec: number;
      p50Ms: number | null;
      p99Ms: number | null;
      costUsdPerSec: number;
      inflight: number;
      warm: number;
      busy: number;
    };
    LiveMetrics: {
      /** epoch ms */
      at: number;
      windowSec: number;
      totals: {
        functions: number;
        invocationsPerSec: number;
        errorsPerSec: number;
        throttlesPerSec: number;
        costUsdPerSec: number;
        inflight: number;
        instances: number;
      };
      functions: components['schemas']["LiveFunction"][];
      /** cluster mode: the nodes that answered */
      nodes?: number;
    };
    FunctionStatus: {
      tenant: string;
      functionName: string;
      /** idle instances */
      warm: number;
      /** instances running an invocation */
      busy: number;
      starting: number;
      inflight: number;
      /** requests waiting for a slot or an instance */
      waiting: number;
      provisionedInstances: number;
      concurrencyLimit: number;
      reservedConcurrency: number | null;
      perInstanceConcurrency: number;
      coldStarts: number;
      prewarms: number;
      evictions: number;
      throttles: number;
      invocations: number;
      queueWaitMsTotal: number;
      queueWaitMsMax: number;
    };
    PlatformStatus: {
      /** this node's instances of the tenant's functions */
      functions: components['schemas']["FunctionStatus"][];
      /** operators only */
      node?: {
        memoryBudgetMb: number | null;
        memoryUsedMb: number;
        instances: number;
        evictions: number;
      };
      /** operators only, cluster mode */
      cluster?: {
        name: string;
        node: string;
        roles: string[];
        /** the scheduler lease's holder */
        leader: { [key: string]: unknown } | null;
        nodes: { [key: string]: unknown }[];
      } & { [key: string]: unknown };
    };
    DoctorReport: {
      sandbox: {
        sandbox: string;
        features: { [key: string]: {
            active: boolean;
            detail: string;
          } };
      };
      build: {
        jailed: boolean;
        detail: string;
      };
      egress: {
        function: string;
        mode: "none" | "internet" | "allowlist";
        allow?: {
          host: string;
          ports?: number[];
        }[];
      }[];
      store: {
        kind: string;
        warnings: {
          code: string;
          message: string;
          hint: string;
        }[];
      };
      runtimes: {
        node: string;
        java: string | null;
      };
      pool: {
        size: number;
      };
    };
  };
}

export type DeployRequest = components['schemas']["DeployRequest"];
export type UpdateFunctionRequest = components['schemas']["UpdateFunctionRequest"];
export type AliasRequest = components['schemas']["AliasRequest"];
export type PublishVersionRequest = components['schemas']["PublishVersionRequest"];
export type TimerRequest = components['schemas']["TimerRequest"];
export type DeadLetterSelection = components['schemas']["DeadLetterSelection"];
export type BucketNotificationsRequest = components['schemas']["BucketNotificationsRequest"];
export type FunctionBucketEventsRequest = components['schemas']["FunctionBucketEventsRequest"];
export type TopicRequest = components['schemas']["TopicRequest"];
export type SubscriptionRequest = components['schemas']["SubscriptionRequest"];
export type OwnedSubscriptionsRequest = components['schemas']["OwnedSubscriptionsRequest"];
export type WebhookRequest = components['schemas']["WebhookRequest"];
export type CreateRouteRequest = components['schemas']["CreateRouteRequest"];
export type ReplaceRoutesRequest = components['schemas']["ReplaceRoutesRequest"];
export type CorsSettings = components['schemas']["CorsSettings"];
export type CreateTenantRequest = components['schemas']["CreateTenantRequest"];
export type CreateKeyRequest = components['schemas']["CreateKeyRequest"];
export type RotateKeyRequest = components['schemas']["RotateKeyRequest"];
export type KeyPoliciesRequest = components['schemas']["KeyPoliciesRequest"];
export type RoleRequest = components['schemas']["RoleRequest"];
export type ScheduleRequest = components['schemas']["ScheduleRequest"];
export type FunctionSchedulesRequest = components['schemas']["FunctionSchedulesRequest"];
export type WorkflowSchedulesRequest = components['schemas']["WorkflowSchedulesRequest"];
export type PutSecretRequest = components['schemas']["PutSecretRequest"];
export type RotateSecretRequest = components['schemas']["RotateSecretRequest"];
export type CreateSourceRequest = components['schemas']["CreateSourceRequest"];
export type FunctionSourcesRequest = components['schemas']["FunctionSourcesRequest"];
export type WorkflowRequest = components['schemas']["WorkflowRequest"];
export type StartExecutionRequest = components['schemas']["StartExecutionRequest"];
export type StopExecutionRequest = components['schemas']["StopExecutionRequest"];
export type TaskSuccessRequest = components['schemas']["TaskSuccessRequest"];
export type TaskFailureRequest = components['schemas']["TaskFailureRequest"];
export type TaskHeartbeatRequest = components['schemas']["TaskHeartbeatRequest"];
export type PriceTable = components['schemas']["PriceTable"];
export type AlertRuleRequest = components['schemas']["AlertRuleRequest"];
export type BudgetRequest = components['schemas']["BudgetRequest"];
export type LogSettingsRequest = components['schemas']["LogSettingsRequest"];
export type SqsRedriveRequest = components['schemas']["SqsRedriveRequest"];
export type Error = components['schemas']["Error"];
export type FunctionView = components['schemas']["FunctionView"];
export type VersionView = components['schemas']["VersionView"];
export type AliasView = components['schemas']["AliasView"];
export type DeployResult = components['schemas']["DeployResult"];
export type FunctionList = components['schemas']["FunctionList"];
export type FunctionDetail = components['schemas']["FunctionDetail"];
export type FunctionResult = components['schemas']["FunctionResult"];
export type VersionResult = components['schemas']["VersionResult"];
export type VersionList = components['schemas']["VersionList"];
export type AliasResult = components['schemas']["AliasResult"];
export type AliasList = components['schemas']["AliasList"];
export type InvokeResult = components['schemas']["InvokeResult"];
export type AsyncSubmitted = components['schemas']["AsyncSubmitted"];
export type LogLineView = components['schemas']["LogLineView"];
export type LogPage = components['schemas']["LogPage"];
export type RouteView = components['schemas']["RouteView"];
export type RouteResult = components['schemas']["RouteResult"];
export type RouteList = components['schemas']["RouteList"];
export type TopicView = components['schemas']["TopicView"];
export type TopicList = components['schemas']["TopicList"];
export type TopicDetail = components['schemas']["TopicDetail"];
export type SubscriptionView = components['schemas']["SubscriptionView"];
export type SubscriptionList = components['schemas']["SubscriptionList"];
export type ScheduleView = components['schemas']["ScheduleView"];
export type ScheduleList = components['schemas']["ScheduleList"];
export type Identity = components['schemas']["Identity"];
export type PermissionsRequest = components['schemas']["PermissionsRequest"];
export type PermissionsView = components['schemas']["PermissionsView"];
export type Health = components['schemas']["Health"];
export type OpenApiDocument = components['schemas']["OpenApiDocument"];
export type InvocationError = components['schemas']["InvocationError"];
export type InvocationView = components['schemas']["InvocationView"];
export type TimerCreated = components['schemas']["TimerCreated"];
export type TimerList = components['schemas']["TimerList"];
export type QueueView = components['schemas']["QueueView"];
export type QueueList = components['schemas']["QueueList"];
export type DeadLetterList = components['schemas']["DeadLetterList"];
export type DeadLettersReplayed = components['schemas']["DeadLettersReplayed"];
export type DeadLettersPurged = components['schemas']["DeadLettersPurged"];
export type SqsQueueView = components['schemas']["SqsQueueView"];
export type SqsQueueList = components['schemas']["SqsQueueList"];
export type MoveTaskView = components['schemas']["MoveTaskView"];
export type MoveTaskAnswer = components['schemas']["MoveTaskAnswer"];
export type MoveTaskList = components['schemas']["MoveTaskList"];
export type LogSettings = components['schemas']["LogSettings"];
export type LogSettingsResult = components['schemas']["LogSettingsResult"];
export type PublishedEvents = components['schemas']["PublishedEvents"];
export type WebhookView = components['schemas']["WebhookView"];
export type WebhookCreated = components['schemas']["WebhookCreated"];
export type WebhookList = components['schemas']["WebhookList"];
export type SourceView = components['schemas']["SourceView"];
export type SourceList = components['schemas']["SourceList"];
export type CorsView = components['schemas']["CorsView"];
export type GatewayCors = components['schemas']["GatewayCors"];
export type BucketView = components['schemas']["BucketView"];
export type BucketList = components['schemas']["BucketList"];
export type BucketName = components['schemas']["BucketName"];
export type BucketNotificationView = components['schemas']["BucketNotificationView"];
export type BucketNotificationList = components['schemas']["BucketNotificationList"];
export type FunctionBucketEvents = components['schemas']["FunctionBucketEvents"];
export type ObjectView = components['schemas']["ObjectView"];
export type ObjectList = components['schemas']["ObjectList"];
export type WorkflowView = components['schemas']["WorkflowView"];
export type WorkflowList = components['schemas']["WorkflowList"];
export type ExecutionView = components['schemas']["ExecutionView"];
export type ExecutionList = components['schemas']["ExecutionList"];
export type HistoryEventView = components['schemas']["HistoryEventView"];
export type HistoryPage = components['schemas']["HistoryPage"];
export type TenantView = components['schemas']["TenantView"];
export type TenantDetail = components['schemas']["TenantDetail"];
export type TenantResult = components['schemas']["TenantResult"];
export type TenantList = components['schemas']["TenantList"];
export type TenantDeleted = components['schemas']["TenantDeleted"];
export type KeyView = components['schemas']["KeyView"];
export type KeyResult = components['schemas']["KeyResult"];
export type KeyWithSecret = components['schemas']["KeyWithSecret"];
export type KeyList = components['schemas']["KeyList"];
export type RoleView = components['schemas']["RoleView"];
export type RoleResult = components['schemas']["RoleResult"];
export type RoleList = components['schemas']["RoleList"];
export type SecretView = components['schemas']["SecretView"];
export type SecretValue = components['schemas']["SecretValue"];
export type SecretList = components['schemas']["SecretList"];
export type MasterKeyRotation = components['schemas']["MasterKeyRotation"];
export type AuditRecordView = components['schemas']["AuditRecordView"];
export type AuditPage = components['schemas']["AuditPage"];
export type AuditVerification = components['schemas']["AuditVerification"];
export type UsageSummary = components['schemas']["UsageSummary"];
export type UsageGroup = components['schemas']["UsageGroup"];
export type UsageRecordView = components['schemas']["UsageRecordView"];
export type UsageAggregate = components['schemas']["UsageAggregate"];
export type UsageRecords = components['schemas']["UsageRecords"];
export type UsageReport = components['schemas']["UsageReport"];
export type Prices = components['schemas']["Prices"];
export type BudgetView = components['schemas']["BudgetView"];
export type BudgetResult = components['schemas']["BudgetResult"];
export type BudgetList = components['schemas']["BudgetList"];
export type AlertRuleView = components['schemas']["AlertRuleView"];
export type AlertResult = components['schemas']["AlertResult"];
export type AlertList = components['schemas']["AlertList"];
export type MetricSeries = components['schemas']["MetricSeries"];
export type LiveFunction = components['schemas']["LiveFunction"];
export type LiveMetrics = components['schemas']["LiveMetrics"];
export type FunctionStatus = components['schemas']["FunctionStatus"];
export type PlatformStatus = components['schemas']["PlatformStatus"];
export type DoctorReport = components['schemas']["DoctorReport"];
