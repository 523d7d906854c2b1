{{/*
Helpers of the Nimbus chart. deploy/render.ts builds the same objects in TypeScript and
test/deploy.test.ts checks that both give the same manifests: change them together.
*/}}

{{/* Labels on every object. */}}
{{- define "nimbus.labels" -}}
app.kubernetes.io/name: nimbus
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: nimbus
{{- end }}

{{/* The selector labels of one Deployment: (dict "root" $ "component" "gateway"). */}}
{{- define "nimbus.selector" -}}
app.kubernetes.io/name: nimbus
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/component: {{ .component | quote }}
{{- end }}

{{/* metadata: (dict "root" $ "name" "…" "component" "gateway" or ""). */}}
{{- define "nimbus.metadata" -}}
name: {{ .name | quote }}
namespace: {{ .root.Release.Namespace | quote }}
labels:
  {{- include "nimbus.labels" .root | nindent 2 }}
  {{- if .component }}
  app.kubernetes.io/component: {{ .component | quote }}
  {{- end }}
{{- end }}

{{- define "nimbus.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end }}

{{- define "nimbus.secretName" -}}
{{- default (printf "%s-secrets" .Release.Name) .Values.secret.existing -}}
{{- end }}

{{/* The Deployments, comma-separated: "all", or the enabled roles in order. */}}
{{- define "nimbus.components" -}}
{{- if .Values.allInOne.enabled -}}
all
{{- else -}}
{{- $on := list -}}
{{- range $r := list "gateway" "api" "worker" "scheduler" -}}
{{- $d := index $.Values.roles $r -}}
{{- if $d.enabled -}}
{{- $on = append $on $r -}}
{{- end -}}
{{- end -}}
{{- join "," $on -}}
{{- end -}}
{{- end }}

{{/* The Deployment whose pods serve a role's port ("all", the role, or ""): (dict "root" $ "role" "gateway"). */}}
{{- define "nimbus.serving" -}}
{{- if .root.Values.allInOne.enabled -}}
all
{{- else -}}
{{- $d := index .root.Values.roles .role -}}
{{- if $d.enabled }}{{ .role }}{{ end -}}
{{- end -}}
{{- end }}

{{/* Non-empty when some Deployment runs function code. */}}
{{- define "nimbus.anySandbox" -}}
{{- range $c := splitList "," (include "nimbus.components" $) -}}
{{- $d := $.Values.allInOne -}}
{{- if ne $c "all" }}{{ $d = index $.Values.roles $c }}{{ end -}}
{{- if $d.sandbox }}true{{ end -}}
{{- end -}}
{{- end }}

{{- define "nimbus.probe" -}}
httpGet:
  path: {{ .path | quote }}
  port: api
periodSeconds: {{ .t.periodSeconds }}
failureThreshold: {{ .t.failureThreshold }}
timeoutSeconds: {{ .t.timeoutSeconds }}
{{- end }}

{{/* Refuses values that cannot be deployed (deploy/render.ts `problems` lists the same). */}}
{{- define "nimbus.validate" -}}
{{- $v := .Values -}}
{{- if not (regexMatch "^[a-z][a-z0-9_]{0,39}$" $v.clusterName) -}}
{{- fail "clusterName: 1–40 of a–z 0–9 _, starting with a letter (it names a PostgreSQL schema)" -}}
{{- end -}}
{{- if not $v.image.repository }}{{ fail "image.repository is required" }}{{ end -}}
{{- if and (not $v.image.digest) (or (not $v.image.tag) (eq $v.image.tag "latest")) -}}
{{- fail "image.tag: pin a release (not empty, not \"latest\"), or set image.digest" -}}
{{- end -}}
{{- if not $v.secret.existing -}}
{{- if not $v.store.url }}{{ fail "store.url is required (postgres://user:password@host:5432/db)" }}{{ end -}}
{{- if not $v.secret.masterKey }}{{ fail "secret.masterKey is required (openssl rand -base64 32)" }}{{ end -}}
{{- if not $v.secret.adminKeyId }}{{ fail "secret.adminKeyId is required (16–40 of A–Z 0–9)" }}{{ end -}}
{{- if not $v.secret.adminSecret }}{{ fail "secret.adminSecret is required (at least 20 characters)" }}{{ end -}}
{{- if not $v.nats.url }}{{ fail "nats.url is required (nats://host:4222)" }}{{ end -}}
{{- else if contains "@" $v.nats.url -}}
{{- fail "nats.url carries credentials: put NIMBUS_NATS in the existing Secret and set nats.url to \"\"" -}}
{{- end -}}
{{- $managed := list "NIMBUS_CLUSTER" "NIMBUS_NATS" "NIMBUS_STORE" "NIMBUS_ROLES" "NIMBUS_HOST" "NIMBUS_PORT" "NIMBUS_API_PORT" "NIMBUS_S3_PORT" "NIMBUS_DATA_DIR" "NIMBUS_NODE_MEMORY_MB" "NIMBUS_MASTER_KEY" "NIMBUS_ADMIN_KEY_ID" "NIMBUS_ADMIN_SECRET" -}}
{{- range $k, $x := $v.config.extra -}}
{{- if not (hasPrefix "NIMBUS_" $k) }}{{ fail (printf "config.extra.%s: only NIMBUS_* settings" $k) }}{{ end -}}
{{- if has $k $managed }}{{ fail (printf "config.extra.%s: set by the chart (use its own value)" $k) }}{{ end -}}
{{- end -}}
{{- range $k, $x := $v.podLabels -}}
{{- if or (hasPrefix "app.kubernetes.io/" $k) (eq $k "nimbus.dev/cluster") }}{{ fail (printf "podLabels.%s: set by the chart" $k) }}{{ end -}}
{{- end -}}
{{- range $k, $x := $v.podAnnotations -}}
{{- if hasPrefix "prometheus.io/" $k }}{{ fail (printf "podAnnotations.%s: set by the chart" $k) }}{{ end -}}
{{- end -}}
{{- $list := include "nimbus.components" . -}}
{{- if not $list }}{{ fail "no Deployment: enable allInOne or at least one role" }}{{ end -}}
{{- range $c := splitList "," $list -}}
{{- $d := $v.allInOne -}}
{{- if ne $c "all" }}{{ $d = index $v.roles $c }}{{ end -}}
{{- if and $d.autoscaling.enabled (not $d.autoscaling.targetConcurrentExecutions) (not $d.autoscaling.targetQueueDepth) -}}
{{- fail (printf "%s.autoscaling: set targetConcurrentExecutions or targetQueueDepth" $c) -}}
{{- end -}}
{{- end -}}
{{- end }}
