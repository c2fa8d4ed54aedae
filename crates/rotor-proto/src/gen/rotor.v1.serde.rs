impl serde::Serialize for AcquireFabricLockRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.AcquireFabricLockRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("holder", &self.holder)?;
        }
        if true {
            struct_ser.serialize_field("purpose", &self.purpose)?;
        }
        if true {
            struct_ser.serialize_field("leaseSeconds", &self.lease_seconds)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for AcquireFabricLockRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "holder",
            "purpose",
            "lease_seconds",
            "leaseSeconds",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            Holder,
            Purpose,
            LeaseSeconds,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "holder" => Ok(GeneratedField::Holder),
                            "purpose" => Ok(GeneratedField::Purpose),
                            "leaseSeconds" | "lease_seconds" => Ok(GeneratedField::LeaseSeconds),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = AcquireFabricLockRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.AcquireFabricLockRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<AcquireFabricLockRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut holder__ = None;
                let mut purpose__ = None;
                let mut lease_seconds__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Holder => {
                            if holder__.is_some() {
                                return Err(serde::de::Error::duplicate_field("holder"));
                            }
                            holder__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Purpose => {
                            if purpose__.is_some() {
                                return Err(serde::de::Error::duplicate_field("purpose"));
                            }
                            purpose__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LeaseSeconds => {
                            if lease_seconds__.is_some() {
                                return Err(serde::de::Error::duplicate_field("leaseSeconds"));
                            }
                            lease_seconds__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(AcquireFabricLockRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    holder: holder__.unwrap_or_default(),
                    purpose: purpose__.unwrap_or_default(),
                    lease_seconds: lease_seconds__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.AcquireFabricLockRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for AdministrativeState {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "ADMINISTRATIVE_STATE_UNSPECIFIED",
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
            Self::UnderMaintenance => "UnderMaintenance",
            Self::Rma => "RMA",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for AdministrativeState {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "ADMINISTRATIVE_STATE_UNSPECIFIED",
            "Enabled",
            "Disabled",
            "UnderMaintenance",
            "RMA",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = AdministrativeState;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "ADMINISTRATIVE_STATE_UNSPECIFIED" => Ok(AdministrativeState::Unspecified),
                    "Enabled" => Ok(AdministrativeState::Enabled),
                    "Disabled" => Ok(AdministrativeState::Disabled),
                    "UnderMaintenance" => Ok(AdministrativeState::UnderMaintenance),
                    "RMA" => Ok(AdministrativeState::Rma),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for ApplyJob {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ApplyJob", len)?;
        if let Some(v) = self.device.as_ref() {
            struct_ser.serialize_field("device", v)?;
        }
        if true {
            struct_ser.serialize_field("intendedConfigVersion", &self.intended_config_version)?;
        }
        if true {
            struct_ser.serialize_field("approvedDiff", &self.approved_diff)?;
        }
        if true {
            struct_ser.serialize_field("runningConfigFingerprint", &self.running_config_fingerprint)?;
        }
        if true {
            struct_ser.serialize_field("previous", &self.previous)?;
        }
        if true {
            struct_ser.serialize_field("changingUsers", &self.changing_users)?;
        }
        if true {
            struct_ser.serialize_field("others", &self.others)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ApplyJob {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "device",
            "intended_config_version",
            "intendedConfigVersion",
            "approved_diff",
            "approvedDiff",
            "running_config_fingerprint",
            "runningConfigFingerprint",
            "previous",
            "changing_users",
            "changingUsers",
            "others",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Device,
            IntendedConfigVersion,
            ApprovedDiff,
            RunningConfigFingerprint,
            Previous,
            ChangingUsers,
            Others,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "device" => Ok(GeneratedField::Device),
                            "intendedConfigVersion" | "intended_config_version" => Ok(GeneratedField::IntendedConfigVersion),
                            "approvedDiff" | "approved_diff" => Ok(GeneratedField::ApprovedDiff),
                            "runningConfigFingerprint" | "running_config_fingerprint" => Ok(GeneratedField::RunningConfigFingerprint),
                            "previous" => Ok(GeneratedField::Previous),
                            "changingUsers" | "changing_users" => Ok(GeneratedField::ChangingUsers),
                            "others" => Ok(GeneratedField::Others),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ApplyJob;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ApplyJob")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ApplyJob, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut device__ = None;
                let mut intended_config_version__ = None;
                let mut approved_diff__ = None;
                let mut running_config_fingerprint__ = None;
                let mut previous__ = None;
                let mut changing_users__ = None;
                let mut others__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Device => {
                            if device__.is_some() {
                                return Err(serde::de::Error::duplicate_field("device"));
                            }
                            device__ = map_.next_value()?;
                        }
                        GeneratedField::IntendedConfigVersion => {
                            if intended_config_version__.is_some() {
                                return Err(serde::de::Error::duplicate_field("intendedConfigVersion"));
                            }
                            intended_config_version__ = Some(map_.next_value()?);
                        }
                        GeneratedField::ApprovedDiff => {
                            if approved_diff__.is_some() {
                                return Err(serde::de::Error::duplicate_field("approvedDiff"));
                            }
                            approved_diff__ = Some(map_.next_value()?);
                        }
                        GeneratedField::RunningConfigFingerprint => {
                            if running_config_fingerprint__.is_some() {
                                return Err(serde::de::Error::duplicate_field("runningConfigFingerprint"));
                            }
                            running_config_fingerprint__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Previous => {
                            if previous__.is_some() {
                                return Err(serde::de::Error::duplicate_field("previous"));
                            }
                            previous__ = Some(map_.next_value()?);
                        }
                        GeneratedField::ChangingUsers => {
                            if changing_users__.is_some() {
                                return Err(serde::de::Error::duplicate_field("changingUsers"));
                            }
                            changing_users__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Others => {
                            if others__.is_some() {
                                return Err(serde::de::Error::duplicate_field("others"));
                            }
                            others__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ApplyJob {
                    device: device__,
                    intended_config_version: intended_config_version__.unwrap_or_default(),
                    approved_diff: approved_diff__.unwrap_or_default(),
                    running_config_fingerprint: running_config_fingerprint__.unwrap_or_default(),
                    previous: previous__.unwrap_or_default(),
                    changing_users: changing_users__.unwrap_or_default(),
                    others: others__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ApplyJob", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for AuditRecord {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.AuditRecord", len)?;
        if true {
            struct_ser.serialize_field("time", &self.time)?;
        }
        if true {
            struct_ser.serialize_field("identity", &self.identity)?;
        }
        if true {
            struct_ser.serialize_field("channel", &self.channel)?;
        }
        if true {
            struct_ser.serialize_field("peer", &self.peer)?;
        }
        if true {
            struct_ser.serialize_field("verb", &self.verb)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceIds", &self.device_ids)?;
        }
        if true {
            struct_ser.serialize_field("versions", &self.versions)?;
        }
        if true {
            struct_ser.serialize_field("outcome", &self.outcome)?;
        }
        if true {
            struct_ser.serialize_field("code", &self.code)?;
        }
        if true {
            struct_ser.serialize_field("message", &self.message)?;
        }
        if true {
            struct_ser.serialize_field("role", &self.role)?;
        }
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("identityChanges", &self.identity_changes)?;
        }
        if true {
            struct_ser.serialize_field("instance", &self.instance)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for AuditRecord {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "time",
            "identity",
            "channel",
            "peer",
            "verb",
            "fabric_id",
            "fabricId",
            "device_ids",
            "deviceIds",
            "versions",
            "outcome",
            "code",
            "message",
            "role",
            "operation_id",
            "operationId",
            "identity_changes",
            "identityChanges",
            "instance",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Time,
            Identity,
            Channel,
            Peer,
            Verb,
            FabricId,
            DeviceIds,
            Versions,
            Outcome,
            Code,
            Message,
            Role,
            OperationId,
            IdentityChanges,
            Instance,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "time" => Ok(GeneratedField::Time),
                            "identity" => Ok(GeneratedField::Identity),
                            "channel" => Ok(GeneratedField::Channel),
                            "peer" => Ok(GeneratedField::Peer),
                            "verb" => Ok(GeneratedField::Verb),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceIds" | "device_ids" => Ok(GeneratedField::DeviceIds),
                            "versions" => Ok(GeneratedField::Versions),
                            "outcome" => Ok(GeneratedField::Outcome),
                            "code" => Ok(GeneratedField::Code),
                            "message" => Ok(GeneratedField::Message),
                            "role" => Ok(GeneratedField::Role),
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "identityChanges" | "identity_changes" => Ok(GeneratedField::IdentityChanges),
                            "instance" => Ok(GeneratedField::Instance),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = AuditRecord;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.AuditRecord")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<AuditRecord, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut time__ = None;
                let mut identity__ = None;
                let mut channel__ = None;
                let mut peer__ = None;
                let mut verb__ = None;
                let mut fabric_id__ = None;
                let mut device_ids__ = None;
                let mut versions__ = None;
                let mut outcome__ = None;
                let mut code__ = None;
                let mut message__ = None;
                let mut role__ = None;
                let mut operation_id__ = None;
                let mut identity_changes__ = None;
                let mut instance__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Time => {
                            if time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("time"));
                            }
                            time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Identity => {
                            if identity__.is_some() {
                                return Err(serde::de::Error::duplicate_field("identity"));
                            }
                            identity__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Channel => {
                            if channel__.is_some() {
                                return Err(serde::de::Error::duplicate_field("channel"));
                            }
                            channel__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Peer => {
                            if peer__.is_some() {
                                return Err(serde::de::Error::duplicate_field("peer"));
                            }
                            peer__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Verb => {
                            if verb__.is_some() {
                                return Err(serde::de::Error::duplicate_field("verb"));
                            }
                            verb__ = Some(map_.next_value()?);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceIds => {
                            if device_ids__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceIds"));
                            }
                            device_ids__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Versions => {
                            if versions__.is_some() {
                                return Err(serde::de::Error::duplicate_field("versions"));
                            }
                            versions__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Outcome => {
                            if outcome__.is_some() {
                                return Err(serde::de::Error::duplicate_field("outcome"));
                            }
                            outcome__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Code => {
                            if code__.is_some() {
                                return Err(serde::de::Error::duplicate_field("code"));
                            }
                            code__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Message => {
                            if message__.is_some() {
                                return Err(serde::de::Error::duplicate_field("message"));
                            }
                            message__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Role => {
                            if role__.is_some() {
                                return Err(serde::de::Error::duplicate_field("role"));
                            }
                            role__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::IdentityChanges => {
                            if identity_changes__.is_some() {
                                return Err(serde::de::Error::duplicate_field("identityChanges"));
                            }
                            identity_changes__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Instance => {
                            if instance__.is_some() {
                                return Err(serde::de::Error::duplicate_field("instance"));
                            }
                            instance__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(AuditRecord {
                    time: time__.unwrap_or_default(),
                    identity: identity__.unwrap_or_default(),
                    channel: channel__.unwrap_or_default(),
                    peer: peer__.unwrap_or_default(),
                    verb: verb__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_ids: device_ids__.unwrap_or_default(),
                    versions: versions__.unwrap_or_default(),
                    outcome: outcome__.unwrap_or_default(),
                    code: code__.unwrap_or_default(),
                    message: message__.unwrap_or_default(),
                    role: role__.unwrap_or_default(),
                    operation_id: operation_id__.unwrap_or_default(),
                    identity_changes: identity_changes__.unwrap_or_default(),
                    instance: instance__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.AuditRecord", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for BackupInfo {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.BackupInfo", len)?;
        if true {
            struct_ser.serialize_field("name", &self.name)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("intendedConfigVersion", &self.intended_config_version)?;
        }
        if true {
            struct_ser.serialize_field("trigger", &self.trigger)?;
        }
        if true {
            struct_ser.serialize_field("time", &self.time)?;
        }
        if true {
            #[allow(clippy::needless_borrow)]
            #[allow(clippy::needless_borrows_for_generic_args)]
            struct_ser.serialize_field("size", ToString::to_string(&self.size).as_str())?;
        }
        if true {
            struct_ser.serialize_field("sha256", &self.sha256)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for BackupInfo {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "name",
            "fabric_id",
            "fabricId",
            "device_id",
            "deviceId",
            "operation_id",
            "operationId",
            "intended_config_version",
            "intendedConfigVersion",
            "trigger",
            "time",
            "size",
            "sha256",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Name,
            FabricId,
            DeviceId,
            OperationId,
            IntendedConfigVersion,
            Trigger,
            Time,
            Size,
            Sha256,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "name" => Ok(GeneratedField::Name),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "intendedConfigVersion" | "intended_config_version" => Ok(GeneratedField::IntendedConfigVersion),
                            "trigger" => Ok(GeneratedField::Trigger),
                            "time" => Ok(GeneratedField::Time),
                            "size" => Ok(GeneratedField::Size),
                            "sha256" => Ok(GeneratedField::Sha256),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = BackupInfo;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.BackupInfo")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<BackupInfo, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut name__ = None;
                let mut fabric_id__ = None;
                let mut device_id__ = None;
                let mut operation_id__ = None;
                let mut intended_config_version__ = None;
                let mut trigger__ = None;
                let mut time__ = None;
                let mut size__ = None;
                let mut sha256__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Name => {
                            if name__.is_some() {
                                return Err(serde::de::Error::duplicate_field("name"));
                            }
                            name__ = Some(map_.next_value()?);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::IntendedConfigVersion => {
                            if intended_config_version__.is_some() {
                                return Err(serde::de::Error::duplicate_field("intendedConfigVersion"));
                            }
                            intended_config_version__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Trigger => {
                            if trigger__.is_some() {
                                return Err(serde::de::Error::duplicate_field("trigger"));
                            }
                            trigger__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Time => {
                            if time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("time"));
                            }
                            time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Size => {
                            if size__.is_some() {
                                return Err(serde::de::Error::duplicate_field("size"));
                            }
                            size__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::Sha256 => {
                            if sha256__.is_some() {
                                return Err(serde::de::Error::duplicate_field("sha256"));
                            }
                            sha256__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(BackupInfo {
                    name: name__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_id: device_id__.unwrap_or_default(),
                    operation_id: operation_id__.unwrap_or_default(),
                    intended_config_version: intended_config_version__.unwrap_or_default(),
                    trigger: trigger__.unwrap_or_default(),
                    time: time__.unwrap_or_default(),
                    size: size__.unwrap_or_default(),
                    sha256: sha256__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.BackupInfo", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for BackupJob {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.BackupJob", len)?;
        if let Some(v) = self.device.as_ref() {
            struct_ser.serialize_field("device", v)?;
        }
        if true {
            struct_ser.serialize_field("intendedConfigVersion", &self.intended_config_version)?;
        }
        if true {
            struct_ser.serialize_field("trigger", &self.trigger)?;
        }
        if let Some(v) = self.outcome.as_ref() {
            struct_ser.serialize_field("outcome", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for BackupJob {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "device",
            "intended_config_version",
            "intendedConfigVersion",
            "trigger",
            "outcome",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Device,
            IntendedConfigVersion,
            Trigger,
            Outcome,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "device" => Ok(GeneratedField::Device),
                            "intendedConfigVersion" | "intended_config_version" => Ok(GeneratedField::IntendedConfigVersion),
                            "trigger" => Ok(GeneratedField::Trigger),
                            "outcome" => Ok(GeneratedField::Outcome),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = BackupJob;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.BackupJob")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<BackupJob, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut device__ = None;
                let mut intended_config_version__ = None;
                let mut trigger__ = None;
                let mut outcome__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Device => {
                            if device__.is_some() {
                                return Err(serde::de::Error::duplicate_field("device"));
                            }
                            device__ = map_.next_value()?;
                        }
                        GeneratedField::IntendedConfigVersion => {
                            if intended_config_version__.is_some() {
                                return Err(serde::de::Error::duplicate_field("intendedConfigVersion"));
                            }
                            intended_config_version__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Trigger => {
                            if trigger__.is_some() {
                                return Err(serde::de::Error::duplicate_field("trigger"));
                            }
                            trigger__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Outcome => {
                            if outcome__.is_some() {
                                return Err(serde::de::Error::duplicate_field("outcome"));
                            }
                            outcome__ = map_.next_value()?;
                        }
                    }
                }
                Ok(BackupJob {
                    device: device__,
                    intended_config_version: intended_config_version__.unwrap_or_default(),
                    trigger: trigger__.unwrap_or_default(),
                    outcome: outcome__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.BackupJob", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for CancelOperationRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.CancelOperationRequest", len)?;
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for CancelOperationRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "operation_id",
            "operationId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            OperationId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = CancelOperationRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.CancelOperationRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<CancelOperationRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut operation_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(CancelOperationRequest {
                    operation_id: operation_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.CancelOperationRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for DeleteScheduleRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.DeleteScheduleRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for DeleteScheduleRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = DeleteScheduleRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.DeleteScheduleRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<DeleteScheduleRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(DeleteScheduleRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.DeleteScheduleRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for DeleteScheduleResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.DeleteScheduleResponse", len)?;
        if true {
            struct_ser.serialize_field("deleted", &self.deleted)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for DeleteScheduleResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "deleted",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Deleted,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "deleted" => Ok(GeneratedField::Deleted),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = DeleteScheduleResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.DeleteScheduleResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<DeleteScheduleResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut deleted__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Deleted => {
                            if deleted__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deleted"));
                            }
                            deleted__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(DeleteScheduleResponse {
                    deleted: deleted__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.DeleteScheduleResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for DeviceJob {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.DeviceJob", len)?;
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        if true {
            let v = RotationKind::try_from(self.kind)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.kind)))?;
            struct_ser.serialize_field("kind", &v)?;
        }
        if true {
            struct_ser.serialize_field("targets", &self.targets)?;
        }
        if true {
            struct_ser.serialize_field("acceptedTime", &self.accepted_time)?;
        }
        if true {
            struct_ser.serialize_field("users", &self.users)?;
        }
        if true {
            struct_ser.serialize_field("fence", &self.fence)?;
        }
        if true {
            struct_ser.serialize_field("plan", &self.plan)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for DeviceJob {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "operation_id",
            "operationId",
            "fabric_id",
            "fabricId",
            "device_id",
            "deviceId",
            "kind",
            "targets",
            "accepted_time",
            "acceptedTime",
            "users",
            "fence",
            "plan",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            OperationId,
            FabricId,
            DeviceId,
            Kind,
            Targets,
            AcceptedTime,
            Users,
            Fence,
            Plan,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            "kind" => Ok(GeneratedField::Kind),
                            "targets" => Ok(GeneratedField::Targets),
                            "acceptedTime" | "accepted_time" => Ok(GeneratedField::AcceptedTime),
                            "users" => Ok(GeneratedField::Users),
                            "fence" => Ok(GeneratedField::Fence),
                            "plan" => Ok(GeneratedField::Plan),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = DeviceJob;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.DeviceJob")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<DeviceJob, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut operation_id__ = None;
                let mut fabric_id__ = None;
                let mut device_id__ = None;
                let mut kind__ = None;
                let mut targets__ = None;
                let mut accepted_time__ = None;
                let mut users__ = None;
                let mut fence__ = None;
                let mut plan__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Kind => {
                            if kind__.is_some() {
                                return Err(serde::de::Error::duplicate_field("kind"));
                            }
                            kind__ = Some(map_.next_value::<RotationKind>()? as i32);
                        }
                        GeneratedField::Targets => {
                            if targets__.is_some() {
                                return Err(serde::de::Error::duplicate_field("targets"));
                            }
                            targets__ = Some(map_.next_value()?);
                        }
                        GeneratedField::AcceptedTime => {
                            if accepted_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("acceptedTime"));
                            }
                            accepted_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Users => {
                            if users__.is_some() {
                                return Err(serde::de::Error::duplicate_field("users"));
                            }
                            users__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Fence => {
                            if fence__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fence"));
                            }
                            fence__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Plan => {
                            if plan__.is_some() {
                                return Err(serde::de::Error::duplicate_field("plan"));
                            }
                            plan__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(DeviceJob {
                    operation_id: operation_id__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_id: device_id__.unwrap_or_default(),
                    kind: kind__.unwrap_or_default(),
                    targets: targets__.unwrap_or_default(),
                    accepted_time: accepted_time__.unwrap_or_default(),
                    users: users__.unwrap_or_default(),
                    fence: fence__.unwrap_or_default(),
                    plan: plan__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.DeviceJob", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for DeviceOutcome {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.DeviceOutcome", len)?;
        if true {
            let v = OperationState::try_from(self.status)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.status)))?;
            struct_ser.serialize_field("status", &v)?;
        }
        if let Some(v) = self.error.as_ref() {
            struct_ser.serialize_field("error", v)?;
        }
        if true {
            struct_ser.serialize_field("held", &self.held)?;
        }
        if true {
            struct_ser.serialize_field("applied", &self.applied)?;
        }
        if true {
            let v = PlanVerdict::try_from(self.verdict)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.verdict)))?;
            struct_ser.serialize_field("verdict", &v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for DeviceOutcome {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "status",
            "error",
            "held",
            "applied",
            "verdict",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Status,
            Error,
            Held,
            Applied,
            Verdict,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "status" => Ok(GeneratedField::Status),
                            "error" => Ok(GeneratedField::Error),
                            "held" => Ok(GeneratedField::Held),
                            "applied" => Ok(GeneratedField::Applied),
                            "verdict" => Ok(GeneratedField::Verdict),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = DeviceOutcome;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.DeviceOutcome")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<DeviceOutcome, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut status__ = None;
                let mut error__ = None;
                let mut held__ = None;
                let mut applied__ = None;
                let mut verdict__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Status => {
                            if status__.is_some() {
                                return Err(serde::de::Error::duplicate_field("status"));
                            }
                            status__ = Some(map_.next_value::<OperationState>()? as i32);
                        }
                        GeneratedField::Error => {
                            if error__.is_some() {
                                return Err(serde::de::Error::duplicate_field("error"));
                            }
                            error__ = map_.next_value()?;
                        }
                        GeneratedField::Held => {
                            if held__.is_some() {
                                return Err(serde::de::Error::duplicate_field("held"));
                            }
                            held__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Applied => {
                            if applied__.is_some() {
                                return Err(serde::de::Error::duplicate_field("applied"));
                            }
                            applied__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Verdict => {
                            if verdict__.is_some() {
                                return Err(serde::de::Error::duplicate_field("verdict"));
                            }
                            verdict__ = Some(map_.next_value::<PlanVerdict>()? as i32);
                        }
                    }
                }
                Ok(DeviceOutcome {
                    status: status__.unwrap_or_default(),
                    error: error__,
                    held: held__.unwrap_or_default(),
                    applied: applied__.unwrap_or_default(),
                    verdict: verdict__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.DeviceOutcome", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for DeviceResult {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.DeviceResult", len)?;
        if true {
            struct_ser.serialize_field("resourceId", &self.resource_id)?;
        }
        if true {
            let v = OperationState::try_from(self.status)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.status)))?;
            struct_ser.serialize_field("status", &v)?;
        }
        if let Some(v) = self.error.as_ref() {
            struct_ser.serialize_field("error", v)?;
        }
        if true {
            let v = PlanVerdict::try_from(self.verdict)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.verdict)))?;
            struct_ser.serialize_field("verdict", &v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for DeviceResult {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "resource_id",
            "resourceId",
            "status",
            "error",
            "verdict",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            ResourceId,
            Status,
            Error,
            Verdict,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "resourceId" | "resource_id" => Ok(GeneratedField::ResourceId),
                            "status" => Ok(GeneratedField::Status),
                            "error" => Ok(GeneratedField::Error),
                            "verdict" => Ok(GeneratedField::Verdict),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = DeviceResult;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.DeviceResult")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<DeviceResult, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut resource_id__ = None;
                let mut status__ = None;
                let mut error__ = None;
                let mut verdict__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::ResourceId => {
                            if resource_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("resourceId"));
                            }
                            resource_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Status => {
                            if status__.is_some() {
                                return Err(serde::de::Error::duplicate_field("status"));
                            }
                            status__ = Some(map_.next_value::<OperationState>()? as i32);
                        }
                        GeneratedField::Error => {
                            if error__.is_some() {
                                return Err(serde::de::Error::duplicate_field("error"));
                            }
                            error__ = map_.next_value()?;
                        }
                        GeneratedField::Verdict => {
                            if verdict__.is_some() {
                                return Err(serde::de::Error::duplicate_field("verdict"));
                            }
                            verdict__ = Some(map_.next_value::<PlanVerdict>()? as i32);
                        }
                    }
                }
                Ok(DeviceResult {
                    resource_id: resource_id__.unwrap_or_default(),
                    status: status__.unwrap_or_default(),
                    error: error__,
                    verdict: verdict__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.DeviceResult", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for DeviceStatus {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.DeviceStatus", len)?;
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("lastRotationTime", &self.last_rotation_time)?;
        }
        if true {
            let v = AdministrativeState::try_from(self.administrative_state)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.administrative_state)))?;
            struct_ser.serialize_field("administrativeState", &v)?;
        }
        if true {
            struct_ser.serialize_field("secrets", &self.secrets)?;
        }
        if true {
            struct_ser.serialize_field("lastStages", &self.last_stages)?;
        }
        if true {
            struct_ser.serialize_field("lastOperationId", &self.last_operation_id)?;
        }
        if true {
            struct_ser.serialize_field("platform", &self.platform)?;
        }
        if true {
            let v = OperationState::try_from(self.last_result)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.last_result)))?;
            struct_ser.serialize_field("lastResult", &v)?;
        }
        if let Some(v) = self.last_error.as_ref() {
            struct_ser.serialize_field("lastError", v)?;
        }
        if let Some(v) = self.quarantine.as_ref() {
            struct_ser.serialize_field("quarantine", v)?;
        }
        if true {
            struct_ser.serialize_field("consecutiveFailures", &self.consecutive_failures)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for DeviceStatus {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "device_id",
            "deviceId",
            "fabric_id",
            "fabricId",
            "last_rotation_time",
            "lastRotationTime",
            "administrative_state",
            "administrativeState",
            "secrets",
            "last_stages",
            "lastStages",
            "last_operation_id",
            "lastOperationId",
            "platform",
            "last_result",
            "lastResult",
            "last_error",
            "lastError",
            "quarantine",
            "consecutive_failures",
            "consecutiveFailures",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            DeviceId,
            FabricId,
            LastRotationTime,
            AdministrativeState,
            Secrets,
            LastStages,
            LastOperationId,
            Platform,
            LastResult,
            LastError,
            Quarantine,
            ConsecutiveFailures,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "lastRotationTime" | "last_rotation_time" => Ok(GeneratedField::LastRotationTime),
                            "administrativeState" | "administrative_state" => Ok(GeneratedField::AdministrativeState),
                            "secrets" => Ok(GeneratedField::Secrets),
                            "lastStages" | "last_stages" => Ok(GeneratedField::LastStages),
                            "lastOperationId" | "last_operation_id" => Ok(GeneratedField::LastOperationId),
                            "platform" => Ok(GeneratedField::Platform),
                            "lastResult" | "last_result" => Ok(GeneratedField::LastResult),
                            "lastError" | "last_error" => Ok(GeneratedField::LastError),
                            "quarantine" => Ok(GeneratedField::Quarantine),
                            "consecutiveFailures" | "consecutive_failures" => Ok(GeneratedField::ConsecutiveFailures),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = DeviceStatus;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.DeviceStatus")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<DeviceStatus, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut device_id__ = None;
                let mut fabric_id__ = None;
                let mut last_rotation_time__ = None;
                let mut administrative_state__ = None;
                let mut secrets__ = None;
                let mut last_stages__ = None;
                let mut last_operation_id__ = None;
                let mut platform__ = None;
                let mut last_result__ = None;
                let mut last_error__ = None;
                let mut quarantine__ = None;
                let mut consecutive_failures__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LastRotationTime => {
                            if last_rotation_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastRotationTime"));
                            }
                            last_rotation_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::AdministrativeState => {
                            if administrative_state__.is_some() {
                                return Err(serde::de::Error::duplicate_field("administrativeState"));
                            }
                            administrative_state__ = Some(map_.next_value::<AdministrativeState>()? as i32);
                        }
                        GeneratedField::Secrets => {
                            if secrets__.is_some() {
                                return Err(serde::de::Error::duplicate_field("secrets"));
                            }
                            secrets__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LastStages => {
                            if last_stages__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastStages"));
                            }
                            last_stages__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LastOperationId => {
                            if last_operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastOperationId"));
                            }
                            last_operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Platform => {
                            if platform__.is_some() {
                                return Err(serde::de::Error::duplicate_field("platform"));
                            }
                            platform__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LastResult => {
                            if last_result__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastResult"));
                            }
                            last_result__ = Some(map_.next_value::<OperationState>()? as i32);
                        }
                        GeneratedField::LastError => {
                            if last_error__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastError"));
                            }
                            last_error__ = map_.next_value()?;
                        }
                        GeneratedField::Quarantine => {
                            if quarantine__.is_some() {
                                return Err(serde::de::Error::duplicate_field("quarantine"));
                            }
                            quarantine__ = map_.next_value()?;
                        }
                        GeneratedField::ConsecutiveFailures => {
                            if consecutive_failures__.is_some() {
                                return Err(serde::de::Error::duplicate_field("consecutiveFailures"));
                            }
                            consecutive_failures__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(DeviceStatus {
                    device_id: device_id__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    last_rotation_time: last_rotation_time__.unwrap_or_default(),
                    administrative_state: administrative_state__.unwrap_or_default(),
                    secrets: secrets__.unwrap_or_default(),
                    last_stages: last_stages__.unwrap_or_default(),
                    last_operation_id: last_operation_id__.unwrap_or_default(),
                    platform: platform__.unwrap_or_default(),
                    last_result: last_result__.unwrap_or_default(),
                    last_error: last_error__,
                    quarantine: quarantine__,
                    consecutive_failures: consecutive_failures__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.DeviceStatus", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for DeviceSummary {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.DeviceSummary", len)?;
        if let Some(v) = self.status.as_ref() {
            struct_ser.serialize_field("status", v)?;
        }
        if true {
            struct_ser.serialize_field("role", &self.role)?;
        }
        if true {
            struct_ser.serialize_field("usernames", &self.usernames)?;
        }
        if true {
            struct_ser.serialize_field("loginUser", &self.login_user)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for DeviceSummary {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "status",
            "role",
            "usernames",
            "login_user",
            "loginUser",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Status,
            Role,
            Usernames,
            LoginUser,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "status" => Ok(GeneratedField::Status),
                            "role" => Ok(GeneratedField::Role),
                            "usernames" => Ok(GeneratedField::Usernames),
                            "loginUser" | "login_user" => Ok(GeneratedField::LoginUser),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = DeviceSummary;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.DeviceSummary")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<DeviceSummary, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut status__ = None;
                let mut role__ = None;
                let mut usernames__ = None;
                let mut login_user__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Status => {
                            if status__.is_some() {
                                return Err(serde::de::Error::duplicate_field("status"));
                            }
                            status__ = map_.next_value()?;
                        }
                        GeneratedField::Role => {
                            if role__.is_some() {
                                return Err(serde::de::Error::duplicate_field("role"));
                            }
                            role__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Usernames => {
                            if usernames__.is_some() {
                                return Err(serde::de::Error::duplicate_field("usernames"));
                            }
                            usernames__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LoginUser => {
                            if login_user__.is_some() {
                                return Err(serde::de::Error::duplicate_field("loginUser"));
                            }
                            login_user__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(DeviceSummary {
                    status: status__,
                    role: role__.unwrap_or_default(),
                    usernames: usernames__.unwrap_or_default(),
                    login_user: login_user__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.DeviceSummary", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for DiffJob {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.DiffJob", len)?;
        if let Some(v) = self.device.as_ref() {
            struct_ser.serialize_field("device", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for DiffJob {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "device",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Device,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "device" => Ok(GeneratedField::Device),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = DiffJob;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.DiffJob")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<DiffJob, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut device__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Device => {
                            if device__.is_some() {
                                return Err(serde::de::Error::duplicate_field("device"));
                            }
                            device__ = map_.next_value()?;
                        }
                    }
                }
                Ok(DiffJob {
                    device: device__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.DiffJob", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for Error {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.Error", len)?;
        if true {
            let v = ErrorCode::try_from(self.code)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.code)))?;
            struct_ser.serialize_field("code", &v)?;
        }
        if true {
            struct_ser.serialize_field("message", &self.message)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for Error {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "code",
            "message",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Code,
            Message,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "code" => Ok(GeneratedField::Code),
                            "message" => Ok(GeneratedField::Message),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = Error;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.Error")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<Error, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut code__ = None;
                let mut message__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Code => {
                            if code__.is_some() {
                                return Err(serde::de::Error::duplicate_field("code"));
                            }
                            code__ = Some(map_.next_value::<ErrorCode>()? as i32);
                        }
                        GeneratedField::Message => {
                            if message__.is_some() {
                                return Err(serde::de::Error::duplicate_field("message"));
                            }
                            message__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(Error {
                    code: code__.unwrap_or_default(),
                    message: message__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.Error", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ErrorCode {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "ERROR_CODE_UNSPECIFIED",
            Self::PartialSuccess => "PartialSuccess",
            Self::RotationFailed => "RotationFailed",
            Self::ResyncFailed => "ResyncFailed",
            Self::CouldNotConnect => "CouldNotConnect",
            Self::DeviceDisabled => "DeviceDisabled",
            Self::UnsupportedPlatform => "UnsupportedPlatform",
            Self::MissingPasswordMapping => "MissingPasswordMapping",
            Self::DiffValidationError => "DiffValidationError",
            Self::DiffChanged => "DiffChanged",
            Self::ConfigSyntax => "ConfigSyntax",
            Self::ConfigApplyFailure => "ConfigApplyFailure",
            Self::VerificationFailed => "VerificationFailed",
            Self::AuthLockoutRisk => "AuthLockoutRisk",
            Self::HostKeyMismatch => "HostKeyMismatch",
            Self::SecretsUnavailable => "SecretsUnavailable",
            Self::UnexpectedDeviceOutput => "UnexpectedDeviceOutput",
            Self::Timeout => "Timeout",
            Self::InternalError => "InternalError",
            Self::RestoreFailed => "RestoreFailed",
            Self::NotAttempted => "NotAttempted",
            Self::Quarantined => "Quarantined",
            Self::OperationNotAllowed => "OperationNotAllowed",
            Self::InvalidRequest => "InvalidRequest",
            Self::PermissionDenied => "PermissionDenied",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for ErrorCode {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "ERROR_CODE_UNSPECIFIED",
            "PartialSuccess",
            "RotationFailed",
            "ResyncFailed",
            "CouldNotConnect",
            "DeviceDisabled",
            "UnsupportedPlatform",
            "MissingPasswordMapping",
            "DiffValidationError",
            "DiffChanged",
            "ConfigSyntax",
            "ConfigApplyFailure",
            "VerificationFailed",
            "AuthLockoutRisk",
            "HostKeyMismatch",
            "SecretsUnavailable",
            "UnexpectedDeviceOutput",
            "Timeout",
            "InternalError",
            "RestoreFailed",
            "NotAttempted",
            "Quarantined",
            "OperationNotAllowed",
            "InvalidRequest",
            "PermissionDenied",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = ErrorCode;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "ERROR_CODE_UNSPECIFIED" => Ok(ErrorCode::Unspecified),
                    "PartialSuccess" => Ok(ErrorCode::PartialSuccess),
                    "RotationFailed" => Ok(ErrorCode::RotationFailed),
                    "ResyncFailed" => Ok(ErrorCode::ResyncFailed),
                    "CouldNotConnect" => Ok(ErrorCode::CouldNotConnect),
                    "DeviceDisabled" => Ok(ErrorCode::DeviceDisabled),
                    "UnsupportedPlatform" => Ok(ErrorCode::UnsupportedPlatform),
                    "MissingPasswordMapping" => Ok(ErrorCode::MissingPasswordMapping),
                    "DiffValidationError" => Ok(ErrorCode::DiffValidationError),
                    "DiffChanged" => Ok(ErrorCode::DiffChanged),
                    "ConfigSyntax" => Ok(ErrorCode::ConfigSyntax),
                    "ConfigApplyFailure" => Ok(ErrorCode::ConfigApplyFailure),
                    "VerificationFailed" => Ok(ErrorCode::VerificationFailed),
                    "AuthLockoutRisk" => Ok(ErrorCode::AuthLockoutRisk),
                    "HostKeyMismatch" => Ok(ErrorCode::HostKeyMismatch),
                    "SecretsUnavailable" => Ok(ErrorCode::SecretsUnavailable),
                    "UnexpectedDeviceOutput" => Ok(ErrorCode::UnexpectedDeviceOutput),
                    "Timeout" => Ok(ErrorCode::Timeout),
                    "InternalError" => Ok(ErrorCode::InternalError),
                    "RestoreFailed" => Ok(ErrorCode::RestoreFailed),
                    "NotAttempted" => Ok(ErrorCode::NotAttempted),
                    "Quarantined" => Ok(ErrorCode::Quarantined),
                    "OperationNotAllowed" => Ok(ErrorCode::OperationNotAllowed),
                    "InvalidRequest" => Ok(ErrorCode::InvalidRequest),
                    "PermissionDenied" => Ok(ErrorCode::PermissionDenied),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for FabricLock {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.FabricLock", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("holder", &self.holder)?;
        }
        if true {
            struct_ser.serialize_field("purpose", &self.purpose)?;
        }
        if true {
            struct_ser.serialize_field("leaseId", &self.lease_id)?;
        }
        if true {
            struct_ser.serialize_field("expiresTime", &self.expires_time)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for FabricLock {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "holder",
            "purpose",
            "lease_id",
            "leaseId",
            "expires_time",
            "expiresTime",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            Holder,
            Purpose,
            LeaseId,
            ExpiresTime,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "holder" => Ok(GeneratedField::Holder),
                            "purpose" => Ok(GeneratedField::Purpose),
                            "leaseId" | "lease_id" => Ok(GeneratedField::LeaseId),
                            "expiresTime" | "expires_time" => Ok(GeneratedField::ExpiresTime),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = FabricLock;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.FabricLock")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<FabricLock, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut holder__ = None;
                let mut purpose__ = None;
                let mut lease_id__ = None;
                let mut expires_time__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Holder => {
                            if holder__.is_some() {
                                return Err(serde::de::Error::duplicate_field("holder"));
                            }
                            holder__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Purpose => {
                            if purpose__.is_some() {
                                return Err(serde::de::Error::duplicate_field("purpose"));
                            }
                            purpose__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LeaseId => {
                            if lease_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("leaseId"));
                            }
                            lease_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::ExpiresTime => {
                            if expires_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("expiresTime"));
                            }
                            expires_time__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(FabricLock {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    holder: holder__.unwrap_or_default(),
                    purpose: purpose__.unwrap_or_default(),
                    lease_id: lease_id__.unwrap_or_default(),
                    expires_time: expires_time__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.FabricLock", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for FabricStatus {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.FabricStatus", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("lastRotationTime", &self.last_rotation_time)?;
        }
        if true {
            let v = OperationState::try_from(self.state)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.state)))?;
            struct_ser.serialize_field("state", &v)?;
        }
        if true {
            struct_ser.serialize_field("totalDevices", &self.total_devices)?;
        }
        if true {
            struct_ser.serialize_field("succeededDeviceIds", &self.succeeded_device_ids)?;
        }
        if true {
            struct_ser.serialize_field("failedDeviceIds", &self.failed_device_ids)?;
        }
        if true {
            struct_ser.serialize_field("uniquePasswordSetCount", &self.unique_password_set_count)?;
        }
        if true {
            struct_ser.serialize_field("lastOperationId", &self.last_operation_id)?;
        }
        if true {
            struct_ser.serialize_field("nextScheduledRotation", &self.next_scheduled_rotation)?;
        }
        if true {
            struct_ser.serialize_field("schedulePaused", &self.schedule_paused)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for FabricStatus {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "last_rotation_time",
            "lastRotationTime",
            "state",
            "total_devices",
            "totalDevices",
            "succeeded_device_ids",
            "succeededDeviceIds",
            "failed_device_ids",
            "failedDeviceIds",
            "unique_password_set_count",
            "uniquePasswordSetCount",
            "last_operation_id",
            "lastOperationId",
            "next_scheduled_rotation",
            "nextScheduledRotation",
            "schedule_paused",
            "schedulePaused",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            LastRotationTime,
            State,
            TotalDevices,
            SucceededDeviceIds,
            FailedDeviceIds,
            UniquePasswordSetCount,
            LastOperationId,
            NextScheduledRotation,
            SchedulePaused,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "lastRotationTime" | "last_rotation_time" => Ok(GeneratedField::LastRotationTime),
                            "state" => Ok(GeneratedField::State),
                            "totalDevices" | "total_devices" => Ok(GeneratedField::TotalDevices),
                            "succeededDeviceIds" | "succeeded_device_ids" => Ok(GeneratedField::SucceededDeviceIds),
                            "failedDeviceIds" | "failed_device_ids" => Ok(GeneratedField::FailedDeviceIds),
                            "uniquePasswordSetCount" | "unique_password_set_count" => Ok(GeneratedField::UniquePasswordSetCount),
                            "lastOperationId" | "last_operation_id" => Ok(GeneratedField::LastOperationId),
                            "nextScheduledRotation" | "next_scheduled_rotation" => Ok(GeneratedField::NextScheduledRotation),
                            "schedulePaused" | "schedule_paused" => Ok(GeneratedField::SchedulePaused),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = FabricStatus;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.FabricStatus")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<FabricStatus, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut last_rotation_time__ = None;
                let mut state__ = None;
                let mut total_devices__ = None;
                let mut succeeded_device_ids__ = None;
                let mut failed_device_ids__ = None;
                let mut unique_password_set_count__ = None;
                let mut last_operation_id__ = None;
                let mut next_scheduled_rotation__ = None;
                let mut schedule_paused__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LastRotationTime => {
                            if last_rotation_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastRotationTime"));
                            }
                            last_rotation_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::State => {
                            if state__.is_some() {
                                return Err(serde::de::Error::duplicate_field("state"));
                            }
                            state__ = Some(map_.next_value::<OperationState>()? as i32);
                        }
                        GeneratedField::TotalDevices => {
                            if total_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("totalDevices"));
                            }
                            total_devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::SucceededDeviceIds => {
                            if succeeded_device_ids__.is_some() {
                                return Err(serde::de::Error::duplicate_field("succeededDeviceIds"));
                            }
                            succeeded_device_ids__ = Some(map_.next_value()?);
                        }
                        GeneratedField::FailedDeviceIds => {
                            if failed_device_ids__.is_some() {
                                return Err(serde::de::Error::duplicate_field("failedDeviceIds"));
                            }
                            failed_device_ids__ = Some(map_.next_value()?);
                        }
                        GeneratedField::UniquePasswordSetCount => {
                            if unique_password_set_count__.is_some() {
                                return Err(serde::de::Error::duplicate_field("uniquePasswordSetCount"));
                            }
                            unique_password_set_count__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::LastOperationId => {
                            if last_operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastOperationId"));
                            }
                            last_operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::NextScheduledRotation => {
                            if next_scheduled_rotation__.is_some() {
                                return Err(serde::de::Error::duplicate_field("nextScheduledRotation"));
                            }
                            next_scheduled_rotation__ = Some(map_.next_value()?);
                        }
                        GeneratedField::SchedulePaused => {
                            if schedule_paused__.is_some() {
                                return Err(serde::de::Error::duplicate_field("schedulePaused"));
                            }
                            schedule_paused__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(FabricStatus {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    last_rotation_time: last_rotation_time__.unwrap_or_default(),
                    state: state__.unwrap_or_default(),
                    total_devices: total_devices__.unwrap_or_default(),
                    succeeded_device_ids: succeeded_device_ids__.unwrap_or_default(),
                    failed_device_ids: failed_device_ids__.unwrap_or_default(),
                    unique_password_set_count: unique_password_set_count__.unwrap_or_default(),
                    last_operation_id: last_operation_id__.unwrap_or_default(),
                    next_scheduled_rotation: next_scheduled_rotation__.unwrap_or_default(),
                    schedule_paused: schedule_paused__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.FabricStatus", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for GetBackupRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.GetBackupRequest", len)?;
        if true {
            struct_ser.serialize_field("name", &self.name)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for GetBackupRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "name",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Name,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "name" => Ok(GeneratedField::Name),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = GetBackupRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.GetBackupRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<GetBackupRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut name__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Name => {
                            if name__.is_some() {
                                return Err(serde::de::Error::duplicate_field("name"));
                            }
                            name__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(GetBackupRequest {
                    name: name__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.GetBackupRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for GetBackupResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.GetBackupResponse", len)?;
        if let Some(v) = self.info.as_ref() {
            struct_ser.serialize_field("info", v)?;
        }
        if true {
            struct_ser.serialize_field("config", &self.config)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for GetBackupResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "info",
            "config",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Info,
            Config,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "info" => Ok(GeneratedField::Info),
                            "config" => Ok(GeneratedField::Config),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = GetBackupResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.GetBackupResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<GetBackupResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut info__ = None;
                let mut config__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Info => {
                            if info__.is_some() {
                                return Err(serde::de::Error::duplicate_field("info"));
                            }
                            info__ = map_.next_value()?;
                        }
                        GeneratedField::Config => {
                            if config__.is_some() {
                                return Err(serde::de::Error::duplicate_field("config"));
                            }
                            config__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(GetBackupResponse {
                    info: info__,
                    config: config__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.GetBackupResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for IdentityChange {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.IdentityChange", len)?;
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        if true {
            struct_ser.serialize_field("fields", &self.fields)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for IdentityChange {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "device_id",
            "deviceId",
            "fields",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            DeviceId,
            Fields,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            "fields" => Ok(GeneratedField::Fields),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = IdentityChange;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.IdentityChange")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<IdentityChange, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut device_id__ = None;
                let mut fields__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Fields => {
                            if fields__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fields"));
                            }
                            fields__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(IdentityChange {
                    device_id: device_id__.unwrap_or_default(),
                    fields: fields__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.IdentityChange", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ImportInventoryRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ImportInventoryRequest", len)?;
        if true {
            struct_ser.serialize_field("inventoryYaml", &self.inventory_yaml)?;
        }
        if true {
            struct_ser.serialize_field("intendedConfigs", &self.intended_configs)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ImportInventoryRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "inventory_yaml",
            "inventoryYaml",
            "intended_configs",
            "intendedConfigs",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            InventoryYaml,
            IntendedConfigs,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "inventoryYaml" | "inventory_yaml" => Ok(GeneratedField::InventoryYaml),
                            "intendedConfigs" | "intended_configs" => Ok(GeneratedField::IntendedConfigs),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ImportInventoryRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ImportInventoryRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ImportInventoryRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut inventory_yaml__ = None;
                let mut intended_configs__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::InventoryYaml => {
                            if inventory_yaml__.is_some() {
                                return Err(serde::de::Error::duplicate_field("inventoryYaml"));
                            }
                            inventory_yaml__ = Some(map_.next_value()?);
                        }
                        GeneratedField::IntendedConfigs => {
                            if intended_configs__.is_some() {
                                return Err(serde::de::Error::duplicate_field("intendedConfigs"));
                            }
                            intended_configs__ = Some(
                                map_.next_value::<std::collections::HashMap<_, _>>()?
                            );
                        }
                    }
                }
                Ok(ImportInventoryRequest {
                    inventory_yaml: inventory_yaml__.unwrap_or_default(),
                    intended_configs: intended_configs__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ImportInventoryRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ImportInventoryResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ImportInventoryResponse", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceCount", &self.device_count)?;
        }
        if true {
            struct_ser.serialize_field("intendedConfigsChanged", &self.intended_configs_changed)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ImportInventoryResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "device_count",
            "deviceCount",
            "intended_configs_changed",
            "intendedConfigsChanged",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            DeviceCount,
            IntendedConfigsChanged,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceCount" | "device_count" => Ok(GeneratedField::DeviceCount),
                            "intendedConfigsChanged" | "intended_configs_changed" => Ok(GeneratedField::IntendedConfigsChanged),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ImportInventoryResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ImportInventoryResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ImportInventoryResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut device_count__ = None;
                let mut intended_configs_changed__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceCount => {
                            if device_count__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceCount"));
                            }
                            device_count__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::IntendedConfigsChanged => {
                            if intended_configs_changed__.is_some() {
                                return Err(serde::de::Error::duplicate_field("intendedConfigsChanged"));
                            }
                            intended_configs_changed__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(ImportInventoryResponse {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_count: device_count__.unwrap_or_default(),
                    intended_configs_changed: intended_configs_changed__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ImportInventoryResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListAuditRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListAuditRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("identity", &self.identity)?;
        }
        if true {
            struct_ser.serialize_field("verb", &self.verb)?;
        }
        if true {
            struct_ser.serialize_field("outcome", &self.outcome)?;
        }
        if true {
            struct_ser.serialize_field("since", &self.since)?;
        }
        if true {
            struct_ser.serialize_field("limit", &self.limit)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListAuditRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "identity",
            "verb",
            "outcome",
            "since",
            "limit",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            Identity,
            Verb,
            Outcome,
            Since,
            Limit,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "identity" => Ok(GeneratedField::Identity),
                            "verb" => Ok(GeneratedField::Verb),
                            "outcome" => Ok(GeneratedField::Outcome),
                            "since" => Ok(GeneratedField::Since),
                            "limit" => Ok(GeneratedField::Limit),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListAuditRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListAuditRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListAuditRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut identity__ = None;
                let mut verb__ = None;
                let mut outcome__ = None;
                let mut since__ = None;
                let mut limit__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Identity => {
                            if identity__.is_some() {
                                return Err(serde::de::Error::duplicate_field("identity"));
                            }
                            identity__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Verb => {
                            if verb__.is_some() {
                                return Err(serde::de::Error::duplicate_field("verb"));
                            }
                            verb__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Outcome => {
                            if outcome__.is_some() {
                                return Err(serde::de::Error::duplicate_field("outcome"));
                            }
                            outcome__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Since => {
                            if since__.is_some() {
                                return Err(serde::de::Error::duplicate_field("since"));
                            }
                            since__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Limit => {
                            if limit__.is_some() {
                                return Err(serde::de::Error::duplicate_field("limit"));
                            }
                            limit__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(ListAuditRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    identity: identity__.unwrap_or_default(),
                    verb: verb__.unwrap_or_default(),
                    outcome: outcome__.unwrap_or_default(),
                    since: since__.unwrap_or_default(),
                    limit: limit__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListAuditRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListAuditResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListAuditResponse", len)?;
        if true {
            struct_ser.serialize_field("records", &self.records)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListAuditResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "records",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Records,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "records" => Ok(GeneratedField::Records),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListAuditResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListAuditResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListAuditResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut records__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Records => {
                            if records__.is_some() {
                                return Err(serde::de::Error::duplicate_field("records"));
                            }
                            records__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ListAuditResponse {
                    records: records__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListAuditResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListBackupsRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListBackupsRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListBackupsRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "device_id",
            "deviceId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            DeviceId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListBackupsRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListBackupsRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListBackupsRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut device_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ListBackupsRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_id: device_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListBackupsRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListBackupsResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListBackupsResponse", len)?;
        if true {
            struct_ser.serialize_field("backups", &self.backups)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListBackupsResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "backups",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Backups,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "backups" => Ok(GeneratedField::Backups),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListBackupsResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListBackupsResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListBackupsResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut backups__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Backups => {
                            if backups__.is_some() {
                                return Err(serde::de::Error::duplicate_field("backups"));
                            }
                            backups__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ListBackupsResponse {
                    backups: backups__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListBackupsResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListDevicesRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListDevicesRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListDevicesRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListDevicesRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListDevicesRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListDevicesRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ListDevicesRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListDevicesRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListDevicesResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListDevicesResponse", len)?;
        if true {
            struct_ser.serialize_field("devices", &self.devices)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListDevicesResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "devices",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Devices,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "devices" => Ok(GeneratedField::Devices),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListDevicesResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListDevicesResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListDevicesResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut devices__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Devices => {
                            if devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("devices"));
                            }
                            devices__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ListDevicesResponse {
                    devices: devices__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListDevicesResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListFabricsRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let len = 0;
        let struct_ser = serializer.serialize_struct("rotor.v1.ListFabricsRequest", len)?;
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListFabricsRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                            Err(serde::de::Error::unknown_field(value, FIELDS))
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListFabricsRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListFabricsRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListFabricsRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                while map_.next_key::<GeneratedField>()?.is_some() {
                    let _ = map_.next_value::<serde::de::IgnoredAny>()?;
                }
                Ok(ListFabricsRequest {
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListFabricsRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListFabricsResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListFabricsResponse", len)?;
        if true {
            struct_ser.serialize_field("fabrics", &self.fabrics)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListFabricsResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabrics",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Fabrics,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabrics" => Ok(GeneratedField::Fabrics),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListFabricsResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListFabricsResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListFabricsResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabrics__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Fabrics => {
                            if fabrics__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabrics"));
                            }
                            fabrics__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ListFabricsResponse {
                    fabrics: fabrics__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListFabricsResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListOperationsRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListOperationsRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("limit", &self.limit)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListOperationsRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "limit",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            Limit,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "limit" => Ok(GeneratedField::Limit),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListOperationsRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListOperationsRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListOperationsRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut limit__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Limit => {
                            if limit__.is_some() {
                                return Err(serde::de::Error::duplicate_field("limit"));
                            }
                            limit__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(ListOperationsRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    limit: limit__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListOperationsRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ListOperationsResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ListOperationsResponse", len)?;
        if true {
            struct_ser.serialize_field("operations", &self.operations)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ListOperationsResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "operations",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Operations,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "operations" => Ok(GeneratedField::Operations),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ListOperationsResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ListOperationsResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ListOperationsResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut operations__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Operations => {
                            if operations__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operations"));
                            }
                            operations__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ListOperationsResponse {
                    operations: operations__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ListOperationsResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for OperationState {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "OPERATION_STATE_UNSPECIFIED",
            Self::Accepted => "Accepted",
            Self::InProgress => "InProgress",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Halted => "Halted",
            Self::Cancelled => "Cancelled",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for OperationState {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "OPERATION_STATE_UNSPECIFIED",
            "Accepted",
            "InProgress",
            "Succeeded",
            "Failed",
            "Halted",
            "Cancelled",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = OperationState;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "OPERATION_STATE_UNSPECIFIED" => Ok(OperationState::Unspecified),
                    "Accepted" => Ok(OperationState::Accepted),
                    "InProgress" => Ok(OperationState::InProgress),
                    "Succeeded" => Ok(OperationState::Succeeded),
                    "Failed" => Ok(OperationState::Failed),
                    "Halted" => Ok(OperationState::Halted),
                    "Cancelled" => Ok(OperationState::Cancelled),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for OperationStatus {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.OperationStatus", len)?;
        if true {
            struct_ser.serialize_field("id", &self.id)?;
        }
        if true {
            let v = RotationKind::try_from(self.kind)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.kind)))?;
            struct_ser.serialize_field("kind", &v)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            let v = OperationState::try_from(self.status)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.status)))?;
            struct_ser.serialize_field("status", &v)?;
        }
        if true {
            struct_ser.serialize_field("startTime", &self.start_time)?;
        }
        if true {
            struct_ser.serialize_field("endTime", &self.end_time)?;
        }
        if true {
            struct_ser.serialize_field("percentComplete", &self.percent_complete)?;
        }
        if let Some(v) = self.error.as_ref() {
            struct_ser.serialize_field("error", v)?;
        }
        if true {
            struct_ser.serialize_field("operations", &self.operations)?;
        }
        if true {
            struct_ser.serialize_field("totalDevices", &self.total_devices)?;
        }
        if true {
            struct_ser.serialize_field("succeededDevices", &self.succeeded_devices)?;
        }
        if true {
            struct_ser.serialize_field("failedDevices", &self.failed_devices)?;
        }
        if true {
            struct_ser.serialize_field("requestId", &self.request_id)?;
        }
        if true {
            struct_ser.serialize_field("requestedBy", &self.requested_by)?;
        }
        if true {
            struct_ser.serialize_field("notAttemptedDevices", &self.not_attempted_devices)?;
        }
        if let Some(v) = self.rollout.as_ref() {
            struct_ser.serialize_field("rollout", v)?;
        }
        if true {
            struct_ser.serialize_field("skippedDevices", &self.skipped_devices)?;
        }
        if true {
            struct_ser.serialize_field("plan", &self.plan)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for OperationStatus {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "id",
            "kind",
            "fabric_id",
            "fabricId",
            "status",
            "start_time",
            "startTime",
            "end_time",
            "endTime",
            "percent_complete",
            "percentComplete",
            "error",
            "operations",
            "total_devices",
            "totalDevices",
            "succeeded_devices",
            "succeededDevices",
            "failed_devices",
            "failedDevices",
            "request_id",
            "requestId",
            "requested_by",
            "requestedBy",
            "not_attempted_devices",
            "notAttemptedDevices",
            "rollout",
            "skipped_devices",
            "skippedDevices",
            "plan",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Id,
            Kind,
            FabricId,
            Status,
            StartTime,
            EndTime,
            PercentComplete,
            Error,
            Operations,
            TotalDevices,
            SucceededDevices,
            FailedDevices,
            RequestId,
            RequestedBy,
            NotAttemptedDevices,
            Rollout,
            SkippedDevices,
            Plan,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "id" => Ok(GeneratedField::Id),
                            "kind" => Ok(GeneratedField::Kind),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "status" => Ok(GeneratedField::Status),
                            "startTime" | "start_time" => Ok(GeneratedField::StartTime),
                            "endTime" | "end_time" => Ok(GeneratedField::EndTime),
                            "percentComplete" | "percent_complete" => Ok(GeneratedField::PercentComplete),
                            "error" => Ok(GeneratedField::Error),
                            "operations" => Ok(GeneratedField::Operations),
                            "totalDevices" | "total_devices" => Ok(GeneratedField::TotalDevices),
                            "succeededDevices" | "succeeded_devices" => Ok(GeneratedField::SucceededDevices),
                            "failedDevices" | "failed_devices" => Ok(GeneratedField::FailedDevices),
                            "requestId" | "request_id" => Ok(GeneratedField::RequestId),
                            "requestedBy" | "requested_by" => Ok(GeneratedField::RequestedBy),
                            "notAttemptedDevices" | "not_attempted_devices" => Ok(GeneratedField::NotAttemptedDevices),
                            "rollout" => Ok(GeneratedField::Rollout),
                            "skippedDevices" | "skipped_devices" => Ok(GeneratedField::SkippedDevices),
                            "plan" => Ok(GeneratedField::Plan),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = OperationStatus;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.OperationStatus")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<OperationStatus, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut id__ = None;
                let mut kind__ = None;
                let mut fabric_id__ = None;
                let mut status__ = None;
                let mut start_time__ = None;
                let mut end_time__ = None;
                let mut percent_complete__ = None;
                let mut error__ = None;
                let mut operations__ = None;
                let mut total_devices__ = None;
                let mut succeeded_devices__ = None;
                let mut failed_devices__ = None;
                let mut request_id__ = None;
                let mut requested_by__ = None;
                let mut not_attempted_devices__ = None;
                let mut rollout__ = None;
                let mut skipped_devices__ = None;
                let mut plan__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Id => {
                            if id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("id"));
                            }
                            id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Kind => {
                            if kind__.is_some() {
                                return Err(serde::de::Error::duplicate_field("kind"));
                            }
                            kind__ = Some(map_.next_value::<RotationKind>()? as i32);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Status => {
                            if status__.is_some() {
                                return Err(serde::de::Error::duplicate_field("status"));
                            }
                            status__ = Some(map_.next_value::<OperationState>()? as i32);
                        }
                        GeneratedField::StartTime => {
                            if start_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("startTime"));
                            }
                            start_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::EndTime => {
                            if end_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("endTime"));
                            }
                            end_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::PercentComplete => {
                            if percent_complete__.is_some() {
                                return Err(serde::de::Error::duplicate_field("percentComplete"));
                            }
                            percent_complete__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::Error => {
                            if error__.is_some() {
                                return Err(serde::de::Error::duplicate_field("error"));
                            }
                            error__ = map_.next_value()?;
                        }
                        GeneratedField::Operations => {
                            if operations__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operations"));
                            }
                            operations__ = Some(map_.next_value()?);
                        }
                        GeneratedField::TotalDevices => {
                            if total_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("totalDevices"));
                            }
                            total_devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::SucceededDevices => {
                            if succeeded_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("succeededDevices"));
                            }
                            succeeded_devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::FailedDevices => {
                            if failed_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("failedDevices"));
                            }
                            failed_devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::RequestId => {
                            if request_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("requestId"));
                            }
                            request_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::RequestedBy => {
                            if requested_by__.is_some() {
                                return Err(serde::de::Error::duplicate_field("requestedBy"));
                            }
                            requested_by__ = Some(map_.next_value()?);
                        }
                        GeneratedField::NotAttemptedDevices => {
                            if not_attempted_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("notAttemptedDevices"));
                            }
                            not_attempted_devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::Rollout => {
                            if rollout__.is_some() {
                                return Err(serde::de::Error::duplicate_field("rollout"));
                            }
                            rollout__ = map_.next_value()?;
                        }
                        GeneratedField::SkippedDevices => {
                            if skipped_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("skippedDevices"));
                            }
                            skipped_devices__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Plan => {
                            if plan__.is_some() {
                                return Err(serde::de::Error::duplicate_field("plan"));
                            }
                            plan__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(OperationStatus {
                    id: id__.unwrap_or_default(),
                    kind: kind__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    status: status__.unwrap_or_default(),
                    start_time: start_time__.unwrap_or_default(),
                    end_time: end_time__.unwrap_or_default(),
                    percent_complete: percent_complete__.unwrap_or_default(),
                    error: error__,
                    operations: operations__.unwrap_or_default(),
                    total_devices: total_devices__.unwrap_or_default(),
                    succeeded_devices: succeeded_devices__.unwrap_or_default(),
                    failed_devices: failed_devices__.unwrap_or_default(),
                    request_id: request_id__.unwrap_or_default(),
                    requested_by: requested_by__.unwrap_or_default(),
                    not_attempted_devices: not_attempted_devices__.unwrap_or_default(),
                    rollout: rollout__,
                    skipped_devices: skipped_devices__.unwrap_or_default(),
                    plan: plan__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.OperationStatus", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for PauseScheduleRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.PauseScheduleRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for PauseScheduleRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = PauseScheduleRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.PauseScheduleRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<PauseScheduleRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(PauseScheduleRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.PauseScheduleRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for PlanVerdict {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "PLAN_VERDICT_UNSPECIFIED",
            Self::WouldChange => "WouldChange",
            Self::NoChange => "NoChange",
            Self::WouldRefuse => "WouldRefuse",
            Self::Unreachable => "Unreachable",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for PlanVerdict {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "PLAN_VERDICT_UNSPECIFIED",
            "WouldChange",
            "NoChange",
            "WouldRefuse",
            "Unreachable",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = PlanVerdict;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "PLAN_VERDICT_UNSPECIFIED" => Ok(PlanVerdict::Unspecified),
                    "WouldChange" => Ok(PlanVerdict::WouldChange),
                    "NoChange" => Ok(PlanVerdict::NoChange),
                    "WouldRefuse" => Ok(PlanVerdict::WouldRefuse),
                    "Unreachable" => Ok(PlanVerdict::Unreachable),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for Quarantine {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.Quarantine", len)?;
        if true {
            struct_ser.serialize_field("reason", &self.reason)?;
        }
        if true {
            struct_ser.serialize_field("since", &self.since)?;
        }
        if true {
            let v = ErrorCode::try_from(self.code)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.code)))?;
            struct_ser.serialize_field("code", &v)?;
        }
        if true {
            struct_ser.serialize_field("failures", &self.failures)?;
        }
        if true {
            struct_ser.serialize_field("operationIds", &self.operation_ids)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for Quarantine {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "reason",
            "since",
            "code",
            "failures",
            "operation_ids",
            "operationIds",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Reason,
            Since,
            Code,
            Failures,
            OperationIds,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "reason" => Ok(GeneratedField::Reason),
                            "since" => Ok(GeneratedField::Since),
                            "code" => Ok(GeneratedField::Code),
                            "failures" => Ok(GeneratedField::Failures),
                            "operationIds" | "operation_ids" => Ok(GeneratedField::OperationIds),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = Quarantine;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.Quarantine")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<Quarantine, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut reason__ = None;
                let mut since__ = None;
                let mut code__ = None;
                let mut failures__ = None;
                let mut operation_ids__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Reason => {
                            if reason__.is_some() {
                                return Err(serde::de::Error::duplicate_field("reason"));
                            }
                            reason__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Since => {
                            if since__.is_some() {
                                return Err(serde::de::Error::duplicate_field("since"));
                            }
                            since__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Code => {
                            if code__.is_some() {
                                return Err(serde::de::Error::duplicate_field("code"));
                            }
                            code__ = Some(map_.next_value::<ErrorCode>()? as i32);
                        }
                        GeneratedField::Failures => {
                            if failures__.is_some() {
                                return Err(serde::de::Error::duplicate_field("failures"));
                            }
                            failures__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::OperationIds => {
                            if operation_ids__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationIds"));
                            }
                            operation_ids__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(Quarantine {
                    reason: reason__.unwrap_or_default(),
                    since: since__.unwrap_or_default(),
                    code: code__.unwrap_or_default(),
                    failures: failures__.unwrap_or_default(),
                    operation_ids: operation_ids__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.Quarantine", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ReleaseDeviceRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ReleaseDeviceRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ReleaseDeviceRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "device_id",
            "deviceId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            DeviceId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ReleaseDeviceRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ReleaseDeviceRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ReleaseDeviceRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut device_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ReleaseDeviceRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_id: device_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ReleaseDeviceRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ReleaseFabricLockRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ReleaseFabricLockRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("leaseId", &self.lease_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ReleaseFabricLockRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "lease_id",
            "leaseId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            LeaseId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "leaseId" | "lease_id" => Ok(GeneratedField::LeaseId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ReleaseFabricLockRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ReleaseFabricLockRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ReleaseFabricLockRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut lease_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LeaseId => {
                            if lease_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("leaseId"));
                            }
                            lease_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ReleaseFabricLockRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    lease_id: lease_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ReleaseFabricLockRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ReleaseFabricLockResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let len = 0;
        let struct_ser = serializer.serialize_struct("rotor.v1.ReleaseFabricLockResponse", len)?;
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ReleaseFabricLockResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                            Err(serde::de::Error::unknown_field(value, FIELDS))
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ReleaseFabricLockResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ReleaseFabricLockResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ReleaseFabricLockResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                while map_.next_key::<GeneratedField>()?.is_some() {
                    let _ = map_.next_value::<serde::de::IgnoredAny>()?;
                }
                Ok(ReleaseFabricLockResponse {
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ReleaseFabricLockResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for RenewFabricLockRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.RenewFabricLockRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("leaseId", &self.lease_id)?;
        }
        if true {
            struct_ser.serialize_field("leaseSeconds", &self.lease_seconds)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for RenewFabricLockRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "lease_id",
            "leaseId",
            "lease_seconds",
            "leaseSeconds",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            LeaseId,
            LeaseSeconds,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "leaseId" | "lease_id" => Ok(GeneratedField::LeaseId),
                            "leaseSeconds" | "lease_seconds" => Ok(GeneratedField::LeaseSeconds),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = RenewFabricLockRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.RenewFabricLockRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<RenewFabricLockRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut lease_id__ = None;
                let mut lease_seconds__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LeaseId => {
                            if lease_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("leaseId"));
                            }
                            lease_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LeaseSeconds => {
                            if lease_seconds__.is_some() {
                                return Err(serde::de::Error::duplicate_field("leaseSeconds"));
                            }
                            lease_seconds__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(RenewFabricLockRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    lease_id: lease_id__.unwrap_or_default(),
                    lease_seconds: lease_seconds__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.RenewFabricLockRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for RequestAccepted {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.RequestAccepted", len)?;
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            let v = RotationKind::try_from(self.kind)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.kind)))?;
            struct_ser.serialize_field("kind", &v)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("submittedDeviceCount", &self.submitted_device_count)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for RequestAccepted {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "operation_id",
            "operationId",
            "kind",
            "fabric_id",
            "fabricId",
            "submitted_device_count",
            "submittedDeviceCount",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            OperationId,
            Kind,
            FabricId,
            SubmittedDeviceCount,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "kind" => Ok(GeneratedField::Kind),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "submittedDeviceCount" | "submitted_device_count" => Ok(GeneratedField::SubmittedDeviceCount),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = RequestAccepted;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.RequestAccepted")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<RequestAccepted, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut operation_id__ = None;
                let mut kind__ = None;
                let mut fabric_id__ = None;
                let mut submitted_device_count__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Kind => {
                            if kind__.is_some() {
                                return Err(serde::de::Error::duplicate_field("kind"));
                            }
                            kind__ = Some(map_.next_value::<RotationKind>()? as i32);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::SubmittedDeviceCount => {
                            if submitted_device_count__.is_some() {
                                return Err(serde::de::Error::duplicate_field("submittedDeviceCount"));
                            }
                            submitted_device_count__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(RequestAccepted {
                    operation_id: operation_id__.unwrap_or_default(),
                    kind: kind__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    submitted_device_count: submitted_device_count__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.RequestAccepted", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for RequestRejected {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.RequestRejected", len)?;
        if let Some(v) = self.error.as_ref() {
            struct_ser.serialize_field("error", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for RequestRejected {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "error",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Error,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "error" => Ok(GeneratedField::Error),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = RequestRejected;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.RequestRejected")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<RequestRejected, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut error__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Error => {
                            if error__.is_some() {
                                return Err(serde::de::Error::duplicate_field("error"));
                            }
                            error__ = map_.next_value()?;
                        }
                    }
                }
                Ok(RequestRejected {
                    error: error__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.RequestRejected", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ResumeOperationRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ResumeOperationRequest", len)?;
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ResumeOperationRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "operation_id",
            "operationId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            OperationId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ResumeOperationRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ResumeOperationRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ResumeOperationRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut operation_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ResumeOperationRequest {
                    operation_id: operation_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ResumeOperationRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ResumeScheduleRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ResumeScheduleRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ResumeScheduleRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ResumeScheduleRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ResumeScheduleRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ResumeScheduleRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ResumeScheduleRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ResumeScheduleRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for RolloutEvent {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.RolloutEvent", len)?;
        if true {
            struct_ser.serialize_field("eventId", &self.event_id)?;
        }
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            let v = RolloutEventKind::try_from(self.event)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.event)))?;
            struct_ser.serialize_field("event", &v)?;
        }
        if true {
            struct_ser.serialize_field("wave", &self.wave)?;
        }
        if true {
            struct_ser.serialize_field("waveCount", &self.wave_count)?;
        }
        if true {
            struct_ser.serialize_field("waveName", &self.wave_name)?;
        }
        if true {
            struct_ser.serialize_field("devices", &self.devices)?;
        }
        if true {
            struct_ser.serialize_field("failed", &self.failed)?;
        }
        if true {
            struct_ser.serialize_field("time", &self.time)?;
        }
        if true {
            struct_ser.serialize_field("message", &self.message)?;
        }
        if true {
            let v = RotationKind::try_from(self.kind)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.kind)))?;
            struct_ser.serialize_field("kind", &v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for RolloutEvent {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "event_id",
            "eventId",
            "operation_id",
            "operationId",
            "fabric_id",
            "fabricId",
            "event",
            "wave",
            "wave_count",
            "waveCount",
            "wave_name",
            "waveName",
            "devices",
            "failed",
            "time",
            "message",
            "kind",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            EventId,
            OperationId,
            FabricId,
            Event,
            Wave,
            WaveCount,
            WaveName,
            Devices,
            Failed,
            Time,
            Message,
            Kind,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "eventId" | "event_id" => Ok(GeneratedField::EventId),
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "event" => Ok(GeneratedField::Event),
                            "wave" => Ok(GeneratedField::Wave),
                            "waveCount" | "wave_count" => Ok(GeneratedField::WaveCount),
                            "waveName" | "wave_name" => Ok(GeneratedField::WaveName),
                            "devices" => Ok(GeneratedField::Devices),
                            "failed" => Ok(GeneratedField::Failed),
                            "time" => Ok(GeneratedField::Time),
                            "message" => Ok(GeneratedField::Message),
                            "kind" => Ok(GeneratedField::Kind),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = RolloutEvent;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.RolloutEvent")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<RolloutEvent, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut event_id__ = None;
                let mut operation_id__ = None;
                let mut fabric_id__ = None;
                let mut event__ = None;
                let mut wave__ = None;
                let mut wave_count__ = None;
                let mut wave_name__ = None;
                let mut devices__ = None;
                let mut failed__ = None;
                let mut time__ = None;
                let mut message__ = None;
                let mut kind__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::EventId => {
                            if event_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("eventId"));
                            }
                            event_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Event => {
                            if event__.is_some() {
                                return Err(serde::de::Error::duplicate_field("event"));
                            }
                            event__ = Some(map_.next_value::<RolloutEventKind>()? as i32);
                        }
                        GeneratedField::Wave => {
                            if wave__.is_some() {
                                return Err(serde::de::Error::duplicate_field("wave"));
                            }
                            wave__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::WaveCount => {
                            if wave_count__.is_some() {
                                return Err(serde::de::Error::duplicate_field("waveCount"));
                            }
                            wave_count__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::WaveName => {
                            if wave_name__.is_some() {
                                return Err(serde::de::Error::duplicate_field("waveName"));
                            }
                            wave_name__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Devices => {
                            if devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("devices"));
                            }
                            devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::Failed => {
                            if failed__.is_some() {
                                return Err(serde::de::Error::duplicate_field("failed"));
                            }
                            failed__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::Time => {
                            if time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("time"));
                            }
                            time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Message => {
                            if message__.is_some() {
                                return Err(serde::de::Error::duplicate_field("message"));
                            }
                            message__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Kind => {
                            if kind__.is_some() {
                                return Err(serde::de::Error::duplicate_field("kind"));
                            }
                            kind__ = Some(map_.next_value::<RotationKind>()? as i32);
                        }
                    }
                }
                Ok(RolloutEvent {
                    event_id: event_id__.unwrap_or_default(),
                    operation_id: operation_id__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    event: event__.unwrap_or_default(),
                    wave: wave__.unwrap_or_default(),
                    wave_count: wave_count__.unwrap_or_default(),
                    wave_name: wave_name__.unwrap_or_default(),
                    devices: devices__.unwrap_or_default(),
                    failed: failed__.unwrap_or_default(),
                    time: time__.unwrap_or_default(),
                    message: message__.unwrap_or_default(),
                    kind: kind__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.RolloutEvent", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for RolloutEventKind {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "ROLLOUT_EVENT_KIND_UNSPECIFIED",
            Self::WaveStarted => "WaveStarted",
            Self::WaveEnded => "WaveEnded",
            Self::WaveHalted => "WaveHalted",
            Self::WaveCancelled => "WaveCancelled",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for RolloutEventKind {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "ROLLOUT_EVENT_KIND_UNSPECIFIED",
            "WaveStarted",
            "WaveEnded",
            "WaveHalted",
            "WaveCancelled",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = RolloutEventKind;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "ROLLOUT_EVENT_KIND_UNSPECIFIED" => Ok(RolloutEventKind::Unspecified),
                    "WaveStarted" => Ok(RolloutEventKind::WaveStarted),
                    "WaveEnded" => Ok(RolloutEventKind::WaveEnded),
                    "WaveHalted" => Ok(RolloutEventKind::WaveHalted),
                    "WaveCancelled" => Ok(RolloutEventKind::WaveCancelled),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for RolloutPolicy {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.RolloutPolicy", len)?;
        if true {
            struct_ser.serialize_field("canary", &self.canary)?;
        }
        if true {
            struct_ser.serialize_field("canaryDevices", &self.canary_devices)?;
        }
        if true {
            struct_ser.serialize_field("waveSize", &self.wave_size)?;
        }
        if true {
            struct_ser.serialize_field("roleOrder", &self.role_order)?;
        }
        if true {
            struct_ser.serialize_field("pauseSecs", &self.pause_secs)?;
        }
        if true {
            struct_ser.serialize_field("maxCanaryFailures", &self.max_canary_failures)?;
        }
        if true {
            struct_ser.serialize_field("maxWaveFailures", &self.max_wave_failures)?;
        }
        if true {
            struct_ser.serialize_field("maxFailures", &self.max_failures)?;
        }
        if true {
            struct_ser.serialize_field("concurrency", &self.concurrency)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for RolloutPolicy {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "canary",
            "canary_devices",
            "canaryDevices",
            "wave_size",
            "waveSize",
            "role_order",
            "roleOrder",
            "pause_secs",
            "pauseSecs",
            "max_canary_failures",
            "maxCanaryFailures",
            "max_wave_failures",
            "maxWaveFailures",
            "max_failures",
            "maxFailures",
            "concurrency",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Canary,
            CanaryDevices,
            WaveSize,
            RoleOrder,
            PauseSecs,
            MaxCanaryFailures,
            MaxWaveFailures,
            MaxFailures,
            Concurrency,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "canary" => Ok(GeneratedField::Canary),
                            "canaryDevices" | "canary_devices" => Ok(GeneratedField::CanaryDevices),
                            "waveSize" | "wave_size" => Ok(GeneratedField::WaveSize),
                            "roleOrder" | "role_order" => Ok(GeneratedField::RoleOrder),
                            "pauseSecs" | "pause_secs" => Ok(GeneratedField::PauseSecs),
                            "maxCanaryFailures" | "max_canary_failures" => Ok(GeneratedField::MaxCanaryFailures),
                            "maxWaveFailures" | "max_wave_failures" => Ok(GeneratedField::MaxWaveFailures),
                            "maxFailures" | "max_failures" => Ok(GeneratedField::MaxFailures),
                            "concurrency" => Ok(GeneratedField::Concurrency),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = RolloutPolicy;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.RolloutPolicy")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<RolloutPolicy, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut canary__ = None;
                let mut canary_devices__ = None;
                let mut wave_size__ = None;
                let mut role_order__ = None;
                let mut pause_secs__ = None;
                let mut max_canary_failures__ = None;
                let mut max_wave_failures__ = None;
                let mut max_failures__ = None;
                let mut concurrency__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Canary => {
                            if canary__.is_some() {
                                return Err(serde::de::Error::duplicate_field("canary"));
                            }
                            canary__ = Some(map_.next_value()?);
                        }
                        GeneratedField::CanaryDevices => {
                            if canary_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("canaryDevices"));
                            }
                            canary_devices__ = Some(map_.next_value()?);
                        }
                        GeneratedField::WaveSize => {
                            if wave_size__.is_some() {
                                return Err(serde::de::Error::duplicate_field("waveSize"));
                            }
                            wave_size__ = Some(map_.next_value()?);
                        }
                        GeneratedField::RoleOrder => {
                            if role_order__.is_some() {
                                return Err(serde::de::Error::duplicate_field("roleOrder"));
                            }
                            role_order__ = Some(map_.next_value()?);
                        }
                        GeneratedField::PauseSecs => {
                            if pause_secs__.is_some() {
                                return Err(serde::de::Error::duplicate_field("pauseSecs"));
                            }
                            pause_secs__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::MaxCanaryFailures => {
                            if max_canary_failures__.is_some() {
                                return Err(serde::de::Error::duplicate_field("maxCanaryFailures"));
                            }
                            max_canary_failures__ = Some(map_.next_value()?);
                        }
                        GeneratedField::MaxWaveFailures => {
                            if max_wave_failures__.is_some() {
                                return Err(serde::de::Error::duplicate_field("maxWaveFailures"));
                            }
                            max_wave_failures__ = Some(map_.next_value()?);
                        }
                        GeneratedField::MaxFailures => {
                            if max_failures__.is_some() {
                                return Err(serde::de::Error::duplicate_field("maxFailures"));
                            }
                            max_failures__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Concurrency => {
                            if concurrency__.is_some() {
                                return Err(serde::de::Error::duplicate_field("concurrency"));
                            }
                            concurrency__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(RolloutPolicy {
                    canary: canary__.unwrap_or_default(),
                    canary_devices: canary_devices__.unwrap_or_default(),
                    wave_size: wave_size__.unwrap_or_default(),
                    role_order: role_order__.unwrap_or_default(),
                    pause_secs: pause_secs__.unwrap_or_default(),
                    max_canary_failures: max_canary_failures__.unwrap_or_default(),
                    max_wave_failures: max_wave_failures__.unwrap_or_default(),
                    max_failures: max_failures__.unwrap_or_default(),
                    concurrency: concurrency__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.RolloutPolicy", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for RolloutProgress {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.RolloutProgress", len)?;
        if true {
            struct_ser.serialize_field("currentWave", &self.current_wave)?;
        }
        if true {
            struct_ser.serialize_field("waveCount", &self.wave_count)?;
        }
        if true {
            struct_ser.serialize_field("currentWaveName", &self.current_wave_name)?;
        }
        if true {
            struct_ser.serialize_field("releasedDevices", &self.released_devices)?;
        }
        if true {
            struct_ser.serialize_field("inFlightDevices", &self.in_flight_devices)?;
        }
        if true {
            struct_ser.serialize_field("pauseUntil", &self.pause_until)?;
        }
        if true {
            struct_ser.serialize_field("waves", &self.waves)?;
        }
        if true {
            struct_ser.serialize_field("haltReason", &self.halt_reason)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for RolloutProgress {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "current_wave",
            "currentWave",
            "wave_count",
            "waveCount",
            "current_wave_name",
            "currentWaveName",
            "released_devices",
            "releasedDevices",
            "in_flight_devices",
            "inFlightDevices",
            "pause_until",
            "pauseUntil",
            "waves",
            "halt_reason",
            "haltReason",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            CurrentWave,
            WaveCount,
            CurrentWaveName,
            ReleasedDevices,
            InFlightDevices,
            PauseUntil,
            Waves,
            HaltReason,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "currentWave" | "current_wave" => Ok(GeneratedField::CurrentWave),
                            "waveCount" | "wave_count" => Ok(GeneratedField::WaveCount),
                            "currentWaveName" | "current_wave_name" => Ok(GeneratedField::CurrentWaveName),
                            "releasedDevices" | "released_devices" => Ok(GeneratedField::ReleasedDevices),
                            "inFlightDevices" | "in_flight_devices" => Ok(GeneratedField::InFlightDevices),
                            "pauseUntil" | "pause_until" => Ok(GeneratedField::PauseUntil),
                            "waves" => Ok(GeneratedField::Waves),
                            "haltReason" | "halt_reason" => Ok(GeneratedField::HaltReason),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = RolloutProgress;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.RolloutProgress")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<RolloutProgress, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut current_wave__ = None;
                let mut wave_count__ = None;
                let mut current_wave_name__ = None;
                let mut released_devices__ = None;
                let mut in_flight_devices__ = None;
                let mut pause_until__ = None;
                let mut waves__ = None;
                let mut halt_reason__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::CurrentWave => {
                            if current_wave__.is_some() {
                                return Err(serde::de::Error::duplicate_field("currentWave"));
                            }
                            current_wave__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::WaveCount => {
                            if wave_count__.is_some() {
                                return Err(serde::de::Error::duplicate_field("waveCount"));
                            }
                            wave_count__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::CurrentWaveName => {
                            if current_wave_name__.is_some() {
                                return Err(serde::de::Error::duplicate_field("currentWaveName"));
                            }
                            current_wave_name__ = Some(map_.next_value()?);
                        }
                        GeneratedField::ReleasedDevices => {
                            if released_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("releasedDevices"));
                            }
                            released_devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::InFlightDevices => {
                            if in_flight_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("inFlightDevices"));
                            }
                            in_flight_devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::PauseUntil => {
                            if pause_until__.is_some() {
                                return Err(serde::de::Error::duplicate_field("pauseUntil"));
                            }
                            pause_until__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Waves => {
                            if waves__.is_some() {
                                return Err(serde::de::Error::duplicate_field("waves"));
                            }
                            waves__ = Some(map_.next_value()?);
                        }
                        GeneratedField::HaltReason => {
                            if halt_reason__.is_some() {
                                return Err(serde::de::Error::duplicate_field("haltReason"));
                            }
                            halt_reason__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(RolloutProgress {
                    current_wave: current_wave__.unwrap_or_default(),
                    wave_count: wave_count__.unwrap_or_default(),
                    current_wave_name: current_wave_name__.unwrap_or_default(),
                    released_devices: released_devices__.unwrap_or_default(),
                    in_flight_devices: in_flight_devices__.unwrap_or_default(),
                    pause_until: pause_until__.unwrap_or_default(),
                    waves: waves__.unwrap_or_default(),
                    halt_reason: halt_reason__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.RolloutProgress", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for RotationKind {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "ROTATION_KIND_UNSPECIFIED",
            Self::FabricRotatePassword => "FabricRotatePassword",
            Self::FabricResyncPassword => "FabricResyncPassword",
            Self::DeviceRotatePassword => "DeviceRotatePassword",
            Self::DeviceResyncPassword => "DeviceResyncPassword",
            Self::ResumeOperation => "ResumeOperation",
            Self::CancelOperation => "CancelOperation",
            Self::ReleaseDevice => "ReleaseDevice",
            Self::SetSchedule => "SetSchedule",
            Self::PauseSchedule => "PauseSchedule",
            Self::ResumeSchedule => "ResumeSchedule",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for RotationKind {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "ROTATION_KIND_UNSPECIFIED",
            "FabricRotatePassword",
            "FabricResyncPassword",
            "DeviceRotatePassword",
            "DeviceResyncPassword",
            "ResumeOperation",
            "CancelOperation",
            "ReleaseDevice",
            "SetSchedule",
            "PauseSchedule",
            "ResumeSchedule",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = RotationKind;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "ROTATION_KIND_UNSPECIFIED" => Ok(RotationKind::Unspecified),
                    "FabricRotatePassword" => Ok(RotationKind::FabricRotatePassword),
                    "FabricResyncPassword" => Ok(RotationKind::FabricResyncPassword),
                    "DeviceRotatePassword" => Ok(RotationKind::DeviceRotatePassword),
                    "DeviceResyncPassword" => Ok(RotationKind::DeviceResyncPassword),
                    "ResumeOperation" => Ok(RotationKind::ResumeOperation),
                    "CancelOperation" => Ok(RotationKind::CancelOperation),
                    "ReleaseDevice" => Ok(RotationKind::ReleaseDevice),
                    "SetSchedule" => Ok(RotationKind::SetSchedule),
                    "PauseSchedule" => Ok(RotationKind::PauseSchedule),
                    "ResumeSchedule" => Ok(RotationKind::ResumeSchedule),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for RotationReply {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if self.outcome.is_some() {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.RotationReply", len)?;
        if let Some(v) = self.outcome.as_ref() {
            match v {
                rotation_reply::Outcome::Accepted(v) => {
                    struct_ser.serialize_field("accepted", v)?;
                }
                rotation_reply::Outcome::Rejected(v) => {
                    struct_ser.serialize_field("rejected", v)?;
                }
            }
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for RotationReply {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "accepted",
            "rejected",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Accepted,
            Rejected,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "accepted" => Ok(GeneratedField::Accepted),
                            "rejected" => Ok(GeneratedField::Rejected),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = RotationReply;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.RotationReply")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<RotationReply, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut outcome__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Accepted => {
                            if outcome__.is_some() {
                                return Err(serde::de::Error::duplicate_field("accepted"));
                            }
                            outcome__ = map_.next_value::<::std::option::Option<_>>()?.map(rotation_reply::Outcome::Accepted)
;
                        }
                        GeneratedField::Rejected => {
                            if outcome__.is_some() {
                                return Err(serde::de::Error::duplicate_field("rejected"));
                            }
                            outcome__ = map_.next_value::<::std::option::Option<_>>()?.map(rotation_reply::Outcome::Rejected)
;
                        }
                    }
                }
                Ok(RotationReply {
                    outcome: outcome__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.RotationReply", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for RotationRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.RotationRequest", len)?;
        if true {
            struct_ser.serialize_field("requestId", &self.request_id)?;
        }
        if true {
            let v = RotationKind::try_from(self.kind)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.kind)))?;
            struct_ser.serialize_field("kind", &v)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceIds", &self.device_ids)?;
        }
        if true {
            struct_ser.serialize_field("users", &self.users)?;
        }
        if true {
            struct_ser.serialize_field("useStored", &self.use_stored)?;
        }
        if true {
            struct_ser.serialize_field("requestedBy", &self.requested_by)?;
        }
        if let Some(v) = self.rollout.as_ref() {
            struct_ser.serialize_field("rollout", v)?;
        }
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("plan", &self.plan)?;
        }
        if let Some(v) = self.schedule.as_ref() {
            struct_ser.serialize_field("schedule", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for RotationRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "request_id",
            "requestId",
            "kind",
            "fabric_id",
            "fabricId",
            "device_ids",
            "deviceIds",
            "users",
            "use_stored",
            "useStored",
            "requested_by",
            "requestedBy",
            "rollout",
            "operation_id",
            "operationId",
            "plan",
            "schedule",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            RequestId,
            Kind,
            FabricId,
            DeviceIds,
            Users,
            UseStored,
            RequestedBy,
            Rollout,
            OperationId,
            Plan,
            Schedule,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "requestId" | "request_id" => Ok(GeneratedField::RequestId),
                            "kind" => Ok(GeneratedField::Kind),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceIds" | "device_ids" => Ok(GeneratedField::DeviceIds),
                            "users" => Ok(GeneratedField::Users),
                            "useStored" | "use_stored" => Ok(GeneratedField::UseStored),
                            "requestedBy" | "requested_by" => Ok(GeneratedField::RequestedBy),
                            "rollout" => Ok(GeneratedField::Rollout),
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "plan" => Ok(GeneratedField::Plan),
                            "schedule" => Ok(GeneratedField::Schedule),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = RotationRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.RotationRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<RotationRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut request_id__ = None;
                let mut kind__ = None;
                let mut fabric_id__ = None;
                let mut device_ids__ = None;
                let mut users__ = None;
                let mut use_stored__ = None;
                let mut requested_by__ = None;
                let mut rollout__ = None;
                let mut operation_id__ = None;
                let mut plan__ = None;
                let mut schedule__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::RequestId => {
                            if request_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("requestId"));
                            }
                            request_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Kind => {
                            if kind__.is_some() {
                                return Err(serde::de::Error::duplicate_field("kind"));
                            }
                            kind__ = Some(map_.next_value::<RotationKind>()? as i32);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceIds => {
                            if device_ids__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceIds"));
                            }
                            device_ids__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Users => {
                            if users__.is_some() {
                                return Err(serde::de::Error::duplicate_field("users"));
                            }
                            users__ = Some(map_.next_value()?);
                        }
                        GeneratedField::UseStored => {
                            if use_stored__.is_some() {
                                return Err(serde::de::Error::duplicate_field("useStored"));
                            }
                            use_stored__ = Some(map_.next_value()?);
                        }
                        GeneratedField::RequestedBy => {
                            if requested_by__.is_some() {
                                return Err(serde::de::Error::duplicate_field("requestedBy"));
                            }
                            requested_by__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Rollout => {
                            if rollout__.is_some() {
                                return Err(serde::de::Error::duplicate_field("rollout"));
                            }
                            rollout__ = map_.next_value()?;
                        }
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Plan => {
                            if plan__.is_some() {
                                return Err(serde::de::Error::duplicate_field("plan"));
                            }
                            plan__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Schedule => {
                            if schedule__.is_some() {
                                return Err(serde::de::Error::duplicate_field("schedule"));
                            }
                            schedule__ = map_.next_value()?;
                        }
                    }
                }
                Ok(RotationRequest {
                    request_id: request_id__.unwrap_or_default(),
                    kind: kind__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_ids: device_ids__.unwrap_or_default(),
                    users: users__.unwrap_or_default(),
                    use_stored: use_stored__.unwrap_or_default(),
                    requested_by: requested_by__.unwrap_or_default(),
                    rollout: rollout__,
                    operation_id: operation_id__.unwrap_or_default(),
                    plan: plan__.unwrap_or_default(),
                    schedule: schedule__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.RotationRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for Schedule {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.Schedule", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("every", &self.every)?;
        }
        if true {
            struct_ser.serialize_field("calendar", &self.calendar)?;
        }
        if true {
            struct_ser.serialize_field("windows", &self.windows)?;
        }
        if true {
            struct_ser.serialize_field("timeZone", &self.time_zone)?;
        }
        if true {
            let v = RotationKind::try_from(self.kind)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.kind)))?;
            struct_ser.serialize_field("kind", &v)?;
        }
        if true {
            struct_ser.serialize_field("users", &self.users)?;
        }
        if true {
            struct_ser.serialize_field("paused", &self.paused)?;
        }
        if true {
            struct_ser.serialize_field("setBy", &self.set_by)?;
        }
        if true {
            struct_ser.serialize_field("setTime", &self.set_time)?;
        }
        if true {
            struct_ser.serialize_field("nextRunTime", &self.next_run_time)?;
        }
        if true {
            struct_ser.serialize_field("dueTime", &self.due_time)?;
        }
        if let Some(v) = self.last_run.as_ref() {
            struct_ser.serialize_field("lastRun", v)?;
        }
        if true {
            struct_ser.serialize_field("missedWindowCount", &self.missed_window_count)?;
        }
        if true {
            struct_ser.serialize_field("missedWindows", &self.missed_windows)?;
        }
        if true {
            struct_ser.serialize_field("pausedBy", &self.paused_by)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for Schedule {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "every",
            "calendar",
            "windows",
            "time_zone",
            "timeZone",
            "kind",
            "users",
            "paused",
            "set_by",
            "setBy",
            "set_time",
            "setTime",
            "next_run_time",
            "nextRunTime",
            "due_time",
            "dueTime",
            "last_run",
            "lastRun",
            "missed_window_count",
            "missedWindowCount",
            "missed_windows",
            "missedWindows",
            "paused_by",
            "pausedBy",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            Every,
            Calendar,
            Windows,
            TimeZone,
            Kind,
            Users,
            Paused,
            SetBy,
            SetTime,
            NextRunTime,
            DueTime,
            LastRun,
            MissedWindowCount,
            MissedWindows,
            PausedBy,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "every" => Ok(GeneratedField::Every),
                            "calendar" => Ok(GeneratedField::Calendar),
                            "windows" => Ok(GeneratedField::Windows),
                            "timeZone" | "time_zone" => Ok(GeneratedField::TimeZone),
                            "kind" => Ok(GeneratedField::Kind),
                            "users" => Ok(GeneratedField::Users),
                            "paused" => Ok(GeneratedField::Paused),
                            "setBy" | "set_by" => Ok(GeneratedField::SetBy),
                            "setTime" | "set_time" => Ok(GeneratedField::SetTime),
                            "nextRunTime" | "next_run_time" => Ok(GeneratedField::NextRunTime),
                            "dueTime" | "due_time" => Ok(GeneratedField::DueTime),
                            "lastRun" | "last_run" => Ok(GeneratedField::LastRun),
                            "missedWindowCount" | "missed_window_count" => Ok(GeneratedField::MissedWindowCount),
                            "missedWindows" | "missed_windows" => Ok(GeneratedField::MissedWindows),
                            "pausedBy" | "paused_by" => Ok(GeneratedField::PausedBy),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = Schedule;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.Schedule")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<Schedule, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut every__ = None;
                let mut calendar__ = None;
                let mut windows__ = None;
                let mut time_zone__ = None;
                let mut kind__ = None;
                let mut users__ = None;
                let mut paused__ = None;
                let mut set_by__ = None;
                let mut set_time__ = None;
                let mut next_run_time__ = None;
                let mut due_time__ = None;
                let mut last_run__ = None;
                let mut missed_window_count__ = None;
                let mut missed_windows__ = None;
                let mut paused_by__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Every => {
                            if every__.is_some() {
                                return Err(serde::de::Error::duplicate_field("every"));
                            }
                            every__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Calendar => {
                            if calendar__.is_some() {
                                return Err(serde::de::Error::duplicate_field("calendar"));
                            }
                            calendar__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Windows => {
                            if windows__.is_some() {
                                return Err(serde::de::Error::duplicate_field("windows"));
                            }
                            windows__ = Some(map_.next_value()?);
                        }
                        GeneratedField::TimeZone => {
                            if time_zone__.is_some() {
                                return Err(serde::de::Error::duplicate_field("timeZone"));
                            }
                            time_zone__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Kind => {
                            if kind__.is_some() {
                                return Err(serde::de::Error::duplicate_field("kind"));
                            }
                            kind__ = Some(map_.next_value::<RotationKind>()? as i32);
                        }
                        GeneratedField::Users => {
                            if users__.is_some() {
                                return Err(serde::de::Error::duplicate_field("users"));
                            }
                            users__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Paused => {
                            if paused__.is_some() {
                                return Err(serde::de::Error::duplicate_field("paused"));
                            }
                            paused__ = Some(map_.next_value()?);
                        }
                        GeneratedField::SetBy => {
                            if set_by__.is_some() {
                                return Err(serde::de::Error::duplicate_field("setBy"));
                            }
                            set_by__ = Some(map_.next_value()?);
                        }
                        GeneratedField::SetTime => {
                            if set_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("setTime"));
                            }
                            set_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::NextRunTime => {
                            if next_run_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("nextRunTime"));
                            }
                            next_run_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DueTime => {
                            if due_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("dueTime"));
                            }
                            due_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::LastRun => {
                            if last_run__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastRun"));
                            }
                            last_run__ = map_.next_value()?;
                        }
                        GeneratedField::MissedWindowCount => {
                            if missed_window_count__.is_some() {
                                return Err(serde::de::Error::duplicate_field("missedWindowCount"));
                            }
                            missed_window_count__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::MissedWindows => {
                            if missed_windows__.is_some() {
                                return Err(serde::de::Error::duplicate_field("missedWindows"));
                            }
                            missed_windows__ = Some(map_.next_value()?);
                        }
                        GeneratedField::PausedBy => {
                            if paused_by__.is_some() {
                                return Err(serde::de::Error::duplicate_field("pausedBy"));
                            }
                            paused_by__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(Schedule {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    every: every__.unwrap_or_default(),
                    calendar: calendar__.unwrap_or_default(),
                    windows: windows__.unwrap_or_default(),
                    time_zone: time_zone__.unwrap_or_default(),
                    kind: kind__.unwrap_or_default(),
                    users: users__.unwrap_or_default(),
                    paused: paused__.unwrap_or_default(),
                    set_by: set_by__.unwrap_or_default(),
                    set_time: set_time__.unwrap_or_default(),
                    next_run_time: next_run_time__.unwrap_or_default(),
                    due_time: due_time__.unwrap_or_default(),
                    last_run: last_run__,
                    missed_window_count: missed_window_count__.unwrap_or_default(),
                    missed_windows: missed_windows__.unwrap_or_default(),
                    paused_by: paused_by__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.Schedule", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ScheduleWindow {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ScheduleWindow", len)?;
        if true {
            struct_ser.serialize_field("startTime", &self.start_time)?;
        }
        if true {
            struct_ser.serialize_field("endTime", &self.end_time)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ScheduleWindow {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "start_time",
            "startTime",
            "end_time",
            "endTime",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            StartTime,
            EndTime,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "startTime" | "start_time" => Ok(GeneratedField::StartTime),
                            "endTime" | "end_time" => Ok(GeneratedField::EndTime),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ScheduleWindow;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ScheduleWindow")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ScheduleWindow, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut start_time__ = None;
                let mut end_time__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::StartTime => {
                            if start_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("startTime"));
                            }
                            start_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::EndTime => {
                            if end_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("endTime"));
                            }
                            end_time__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ScheduleWindow {
                    start_time: start_time__.unwrap_or_default(),
                    end_time: end_time__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ScheduleWindow", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ScheduledRun {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ScheduledRun", len)?;
        if true {
            struct_ser.serialize_field("time", &self.time)?;
        }
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if let Some(v) = self.refused.as_ref() {
            struct_ser.serialize_field("refused", v)?;
        }
        if let Some(v) = self.window.as_ref() {
            struct_ser.serialize_field("window", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ScheduledRun {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "time",
            "operation_id",
            "operationId",
            "refused",
            "window",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Time,
            OperationId,
            Refused,
            Window,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "time" => Ok(GeneratedField::Time),
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "refused" => Ok(GeneratedField::Refused),
                            "window" => Ok(GeneratedField::Window),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ScheduledRun;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ScheduledRun")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ScheduledRun, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut time__ = None;
                let mut operation_id__ = None;
                let mut refused__ = None;
                let mut window__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Time => {
                            if time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("time"));
                            }
                            time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Refused => {
                            if refused__.is_some() {
                                return Err(serde::de::Error::duplicate_field("refused"));
                            }
                            refused__ = map_.next_value()?;
                        }
                        GeneratedField::Window => {
                            if window__.is_some() {
                                return Err(serde::de::Error::duplicate_field("window"));
                            }
                            window__ = map_.next_value()?;
                        }
                    }
                }
                Ok(ScheduledRun {
                    time: time__.unwrap_or_default(),
                    operation_id: operation_id__.unwrap_or_default(),
                    refused: refused__,
                    window: window__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ScheduledRun", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for SecretReference {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.SecretReference", len)?;
        if true {
            struct_ser.serialize_field("uri", &self.uri)?;
        }
        if true {
            struct_ser.serialize_field("mount", &self.mount)?;
        }
        if true {
            struct_ser.serialize_field("path", &self.path)?;
        }
        if true {
            struct_ser.serialize_field("version", &self.version)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for SecretReference {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "uri",
            "mount",
            "path",
            "version",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Uri,
            Mount,
            Path,
            Version,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "uri" => Ok(GeneratedField::Uri),
                            "mount" => Ok(GeneratedField::Mount),
                            "path" => Ok(GeneratedField::Path),
                            "version" => Ok(GeneratedField::Version),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = SecretReference;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.SecretReference")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<SecretReference, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut uri__ = None;
                let mut mount__ = None;
                let mut path__ = None;
                let mut version__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Uri => {
                            if uri__.is_some() {
                                return Err(serde::de::Error::duplicate_field("uri"));
                            }
                            uri__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Mount => {
                            if mount__.is_some() {
                                return Err(serde::de::Error::duplicate_field("mount"));
                            }
                            mount__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Path => {
                            if path__.is_some() {
                                return Err(serde::de::Error::duplicate_field("path"));
                            }
                            path__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Version => {
                            if version__.is_some() {
                                return Err(serde::de::Error::duplicate_field("version"));
                            }
                            version__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                    }
                }
                Ok(SecretReference {
                    uri: uri__.unwrap_or_default(),
                    mount: mount__.unwrap_or_default(),
                    path: path__.unwrap_or_default(),
                    version: version__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.SecretReference", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for SecretStatus {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.SecretStatus", len)?;
        if true {
            struct_ser.serialize_field("secretType", &self.secret_type)?;
        }
        if true {
            struct_ser.serialize_field("username", &self.username)?;
        }
        if true {
            let v = SynchronizationStatus::try_from(self.synchronization_status)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.synchronization_status)))?;
            struct_ser.serialize_field("synchronizationStatus", &v)?;
        }
        if let Some(v) = self.secret_archive_reference.as_ref() {
            struct_ser.serialize_field("secretArchiveReference", v)?;
        }
        if true {
            struct_ser.serialize_field("lastRotationTime", &self.last_rotation_time)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for SecretStatus {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "secret_type",
            "secretType",
            "username",
            "synchronization_status",
            "synchronizationStatus",
            "secret_archive_reference",
            "secretArchiveReference",
            "last_rotation_time",
            "lastRotationTime",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            SecretType,
            Username,
            SynchronizationStatus,
            SecretArchiveReference,
            LastRotationTime,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "secretType" | "secret_type" => Ok(GeneratedField::SecretType),
                            "username" => Ok(GeneratedField::Username),
                            "synchronizationStatus" | "synchronization_status" => Ok(GeneratedField::SynchronizationStatus),
                            "secretArchiveReference" | "secret_archive_reference" => Ok(GeneratedField::SecretArchiveReference),
                            "lastRotationTime" | "last_rotation_time" => Ok(GeneratedField::LastRotationTime),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = SecretStatus;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.SecretStatus")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<SecretStatus, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut secret_type__ = None;
                let mut username__ = None;
                let mut synchronization_status__ = None;
                let mut secret_archive_reference__ = None;
                let mut last_rotation_time__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::SecretType => {
                            if secret_type__.is_some() {
                                return Err(serde::de::Error::duplicate_field("secretType"));
                            }
                            secret_type__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Username => {
                            if username__.is_some() {
                                return Err(serde::de::Error::duplicate_field("username"));
                            }
                            username__ = Some(map_.next_value()?);
                        }
                        GeneratedField::SynchronizationStatus => {
                            if synchronization_status__.is_some() {
                                return Err(serde::de::Error::duplicate_field("synchronizationStatus"));
                            }
                            synchronization_status__ = Some(map_.next_value::<SynchronizationStatus>()? as i32);
                        }
                        GeneratedField::SecretArchiveReference => {
                            if secret_archive_reference__.is_some() {
                                return Err(serde::de::Error::duplicate_field("secretArchiveReference"));
                            }
                            secret_archive_reference__ = map_.next_value()?;
                        }
                        GeneratedField::LastRotationTime => {
                            if last_rotation_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lastRotationTime"));
                            }
                            last_rotation_time__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(SecretStatus {
                    secret_type: secret_type__.unwrap_or_default(),
                    username: username__.unwrap_or_default(),
                    synchronization_status: synchronization_status__.unwrap_or_default(),
                    secret_archive_reference: secret_archive_reference__,
                    last_rotation_time: last_rotation_time__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.SecretStatus", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for SecretTarget {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.SecretTarget", len)?;
        if true {
            struct_ser.serialize_field("secretType", &self.secret_type)?;
        }
        if true {
            struct_ser.serialize_field("username", &self.username)?;
        }
        if let Some(v) = self.reference.as_ref() {
            struct_ser.serialize_field("reference", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for SecretTarget {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "secret_type",
            "secretType",
            "username",
            "reference",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            SecretType,
            Username,
            Reference,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "secretType" | "secret_type" => Ok(GeneratedField::SecretType),
                            "username" => Ok(GeneratedField::Username),
                            "reference" => Ok(GeneratedField::Reference),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = SecretTarget;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.SecretTarget")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<SecretTarget, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut secret_type__ = None;
                let mut username__ = None;
                let mut reference__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::SecretType => {
                            if secret_type__.is_some() {
                                return Err(serde::de::Error::duplicate_field("secretType"));
                            }
                            secret_type__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Username => {
                            if username__.is_some() {
                                return Err(serde::de::Error::duplicate_field("username"));
                            }
                            username__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Reference => {
                            if reference__.is_some() {
                                return Err(serde::de::Error::duplicate_field("reference"));
                            }
                            reference__ = map_.next_value()?;
                        }
                    }
                }
                Ok(SecretTarget {
                    secret_type: secret_type__.unwrap_or_default(),
                    username: username__.unwrap_or_default(),
                    reference: reference__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.SecretTarget", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for SetScheduleRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.SetScheduleRequest", len)?;
        if let Some(v) = self.schedule.as_ref() {
            struct_ser.serialize_field("schedule", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for SetScheduleRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "schedule",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Schedule,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "schedule" => Ok(GeneratedField::Schedule),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = SetScheduleRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.SetScheduleRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<SetScheduleRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut schedule__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Schedule => {
                            if schedule__.is_some() {
                                return Err(serde::de::Error::duplicate_field("schedule"));
                            }
                            schedule__ = map_.next_value()?;
                        }
                    }
                }
                Ok(SetScheduleRequest {
                    schedule: schedule__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.SetScheduleRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ShowDeviceRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ShowDeviceRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ShowDeviceRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "device_id",
            "deviceId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            DeviceId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ShowDeviceRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ShowDeviceRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ShowDeviceRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut device_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ShowDeviceRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_id: device_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ShowDeviceRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ShowFabricLockRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ShowFabricLockRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ShowFabricLockRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ShowFabricLockRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ShowFabricLockRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ShowFabricLockRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ShowFabricLockRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ShowFabricLockRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ShowFabricLockResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ShowFabricLockResponse", len)?;
        if let Some(v) = self.lock.as_ref() {
            struct_ser.serialize_field("lock", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ShowFabricLockResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "lock",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Lock,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "lock" => Ok(GeneratedField::Lock),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ShowFabricLockResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ShowFabricLockResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ShowFabricLockResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut lock__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Lock => {
                            if lock__.is_some() {
                                return Err(serde::de::Error::duplicate_field("lock"));
                            }
                            lock__ = map_.next_value()?;
                        }
                    }
                }
                Ok(ShowFabricLockResponse {
                    lock: lock__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ShowFabricLockResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ShowFabricRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ShowFabricRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ShowFabricRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ShowFabricRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ShowFabricRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ShowFabricRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ShowFabricRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ShowFabricRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ShowInventoryRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ShowInventoryRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ShowInventoryRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ShowInventoryRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ShowInventoryRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ShowInventoryRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ShowInventoryRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ShowInventoryRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ShowInventoryResponse {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ShowInventoryResponse", len)?;
        if true {
            struct_ser.serialize_field("inventoryYaml", &self.inventory_yaml)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ShowInventoryResponse {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "inventory_yaml",
            "inventoryYaml",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            InventoryYaml,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "inventoryYaml" | "inventory_yaml" => Ok(GeneratedField::InventoryYaml),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ShowInventoryResponse;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ShowInventoryResponse")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ShowInventoryResponse, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut inventory_yaml__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::InventoryYaml => {
                            if inventory_yaml__.is_some() {
                                return Err(serde::de::Error::duplicate_field("inventoryYaml"));
                            }
                            inventory_yaml__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ShowInventoryResponse {
                    inventory_yaml: inventory_yaml__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ShowInventoryResponse", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ShowOperationRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ShowOperationRequest", len)?;
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("omitDevices", &self.omit_devices)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ShowOperationRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "operation_id",
            "operationId",
            "omit_devices",
            "omitDevices",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            OperationId,
            OmitDevices,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "omitDevices" | "omit_devices" => Ok(GeneratedField::OmitDevices),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ShowOperationRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ShowOperationRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ShowOperationRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut operation_id__ = None;
                let mut omit_devices__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OmitDevices => {
                            if omit_devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("omitDevices"));
                            }
                            omit_devices__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ShowOperationRequest {
                    operation_id: operation_id__.unwrap_or_default(),
                    omit_devices: omit_devices__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ShowOperationRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for ShowScheduleRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.ShowScheduleRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for ShowScheduleRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = ShowScheduleRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.ShowScheduleRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<ShowScheduleRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(ShowScheduleRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.ShowScheduleRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for Stage {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "STAGE_UNSPECIFIED",
            Self::LoadIntendedConfiguration => "load_intended_configuration",
            Self::PerformConfigurationDiff => "perform_configuration_diff",
            Self::ApplyConfiguration => "apply_configuration",
            Self::PerformBackup => "perform_backup",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for Stage {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "STAGE_UNSPECIFIED",
            "load_intended_configuration",
            "perform_configuration_diff",
            "apply_configuration",
            "perform_backup",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = Stage;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "STAGE_UNSPECIFIED" => Ok(Stage::Unspecified),
                    "load_intended_configuration" => Ok(Stage::LoadIntendedConfiguration),
                    "perform_configuration_diff" => Ok(Stage::PerformConfigurationDiff),
                    "apply_configuration" => Ok(Stage::ApplyConfiguration),
                    "perform_backup" => Ok(Stage::PerformBackup),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for StageEvent {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.StageEvent", len)?;
        if true {
            struct_ser.serialize_field("eventId", &self.event_id)?;
        }
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        if true {
            let v = Stage::try_from(self.stage)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.stage)))?;
            struct_ser.serialize_field("stage", &v)?;
        }
        if true {
            let v = stage_event::Status::try_from(self.status)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.status)))?;
            struct_ser.serialize_field("status", &v)?;
        }
        if true {
            struct_ser.serialize_field("display", &self.display)?;
        }
        if let Some(v) = self.error.as_ref() {
            struct_ser.serialize_field("error", v)?;
        }
        if true {
            struct_ser.serialize_field("offendingLines", &self.offending_lines)?;
        }
        if true {
            struct_ser.serialize_field("secrets", &self.secrets)?;
        }
        if true {
            struct_ser.serialize_field("time", &self.time)?;
        }
        if true {
            struct_ser.serialize_field("attempt", &self.attempt)?;
        }
        if true {
            struct_ser.serialize_field("worker", &self.worker)?;
        }
        if true {
            let v = RotationKind::try_from(self.kind)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.kind)))?;
            struct_ser.serialize_field("kind", &v)?;
        }
        if true {
            struct_ser.serialize_field("intendedConfigVersion", &self.intended_config_version)?;
        }
        if let Some(v) = self.outcome.as_ref() {
            struct_ser.serialize_field("outcome", v)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for StageEvent {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "event_id",
            "eventId",
            "operation_id",
            "operationId",
            "fabric_id",
            "fabricId",
            "device_id",
            "deviceId",
            "stage",
            "status",
            "display",
            "error",
            "offending_lines",
            "offendingLines",
            "secrets",
            "time",
            "attempt",
            "worker",
            "kind",
            "intended_config_version",
            "intendedConfigVersion",
            "outcome",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            EventId,
            OperationId,
            FabricId,
            DeviceId,
            Stage,
            Status,
            Display,
            Error,
            OffendingLines,
            Secrets,
            Time,
            Attempt,
            Worker,
            Kind,
            IntendedConfigVersion,
            Outcome,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "eventId" | "event_id" => Ok(GeneratedField::EventId),
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            "stage" => Ok(GeneratedField::Stage),
                            "status" => Ok(GeneratedField::Status),
                            "display" => Ok(GeneratedField::Display),
                            "error" => Ok(GeneratedField::Error),
                            "offendingLines" | "offending_lines" => Ok(GeneratedField::OffendingLines),
                            "secrets" => Ok(GeneratedField::Secrets),
                            "time" => Ok(GeneratedField::Time),
                            "attempt" => Ok(GeneratedField::Attempt),
                            "worker" => Ok(GeneratedField::Worker),
                            "kind" => Ok(GeneratedField::Kind),
                            "intendedConfigVersion" | "intended_config_version" => Ok(GeneratedField::IntendedConfigVersion),
                            "outcome" => Ok(GeneratedField::Outcome),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = StageEvent;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.StageEvent")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<StageEvent, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut event_id__ = None;
                let mut operation_id__ = None;
                let mut fabric_id__ = None;
                let mut device_id__ = None;
                let mut stage__ = None;
                let mut status__ = None;
                let mut display__ = None;
                let mut error__ = None;
                let mut offending_lines__ = None;
                let mut secrets__ = None;
                let mut time__ = None;
                let mut attempt__ = None;
                let mut worker__ = None;
                let mut kind__ = None;
                let mut intended_config_version__ = None;
                let mut outcome__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::EventId => {
                            if event_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("eventId"));
                            }
                            event_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Stage => {
                            if stage__.is_some() {
                                return Err(serde::de::Error::duplicate_field("stage"));
                            }
                            stage__ = Some(map_.next_value::<Stage>()? as i32);
                        }
                        GeneratedField::Status => {
                            if status__.is_some() {
                                return Err(serde::de::Error::duplicate_field("status"));
                            }
                            status__ = Some(map_.next_value::<stage_event::Status>()? as i32);
                        }
                        GeneratedField::Display => {
                            if display__.is_some() {
                                return Err(serde::de::Error::duplicate_field("display"));
                            }
                            display__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Error => {
                            if error__.is_some() {
                                return Err(serde::de::Error::duplicate_field("error"));
                            }
                            error__ = map_.next_value()?;
                        }
                        GeneratedField::OffendingLines => {
                            if offending_lines__.is_some() {
                                return Err(serde::de::Error::duplicate_field("offendingLines"));
                            }
                            offending_lines__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Secrets => {
                            if secrets__.is_some() {
                                return Err(serde::de::Error::duplicate_field("secrets"));
                            }
                            secrets__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Time => {
                            if time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("time"));
                            }
                            time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Attempt => {
                            if attempt__.is_some() {
                                return Err(serde::de::Error::duplicate_field("attempt"));
                            }
                            attempt__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::Worker => {
                            if worker__.is_some() {
                                return Err(serde::de::Error::duplicate_field("worker"));
                            }
                            worker__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Kind => {
                            if kind__.is_some() {
                                return Err(serde::de::Error::duplicate_field("kind"));
                            }
                            kind__ = Some(map_.next_value::<RotationKind>()? as i32);
                        }
                        GeneratedField::IntendedConfigVersion => {
                            if intended_config_version__.is_some() {
                                return Err(serde::de::Error::duplicate_field("intendedConfigVersion"));
                            }
                            intended_config_version__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Outcome => {
                            if outcome__.is_some() {
                                return Err(serde::de::Error::duplicate_field("outcome"));
                            }
                            outcome__ = map_.next_value()?;
                        }
                    }
                }
                Ok(StageEvent {
                    event_id: event_id__.unwrap_or_default(),
                    operation_id: operation_id__.unwrap_or_default(),
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_id: device_id__.unwrap_or_default(),
                    stage: stage__.unwrap_or_default(),
                    status: status__.unwrap_or_default(),
                    display: display__.unwrap_or_default(),
                    error: error__,
                    offending_lines: offending_lines__.unwrap_or_default(),
                    secrets: secrets__.unwrap_or_default(),
                    time: time__.unwrap_or_default(),
                    attempt: attempt__.unwrap_or_default(),
                    worker: worker__.unwrap_or_default(),
                    kind: kind__.unwrap_or_default(),
                    intended_config_version: intended_config_version__.unwrap_or_default(),
                    outcome: outcome__,
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.StageEvent", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for stage_event::Status {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "STATUS_UNSPECIFIED",
            Self::Started => "Started",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Skipped => "Skipped",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for stage_event::Status {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "STATUS_UNSPECIFIED",
            "Started",
            "Succeeded",
            "Failed",
            "Skipped",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = stage_event::Status;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "STATUS_UNSPECIFIED" => Ok(stage_event::Status::Unspecified),
                    "Started" => Ok(stage_event::Status::Started),
                    "Succeeded" => Ok(stage_event::Status::Succeeded),
                    "Failed" => Ok(stage_event::Status::Failed),
                    "Skipped" => Ok(stage_event::Status::Skipped),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for StageRecord {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.StageRecord", len)?;
        if true {
            let v = Stage::try_from(self.stage)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.stage)))?;
            struct_ser.serialize_field("stage", &v)?;
        }
        if true {
            let v = stage_event::Status::try_from(self.status)
                .map_err(|_| serde::ser::Error::custom(format!("Invalid variant {}", self.status)))?;
            struct_ser.serialize_field("status", &v)?;
        }
        if true {
            struct_ser.serialize_field("display", &self.display)?;
        }
        if let Some(v) = self.error.as_ref() {
            struct_ser.serialize_field("error", v)?;
        }
        if true {
            struct_ser.serialize_field("time", &self.time)?;
        }
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("offendingLines", &self.offending_lines)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for StageRecord {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "stage",
            "status",
            "display",
            "error",
            "time",
            "operation_id",
            "operationId",
            "offending_lines",
            "offendingLines",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Stage,
            Status,
            Display,
            Error,
            Time,
            OperationId,
            OffendingLines,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "stage" => Ok(GeneratedField::Stage),
                            "status" => Ok(GeneratedField::Status),
                            "display" => Ok(GeneratedField::Display),
                            "error" => Ok(GeneratedField::Error),
                            "time" => Ok(GeneratedField::Time),
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "offendingLines" | "offending_lines" => Ok(GeneratedField::OffendingLines),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = StageRecord;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.StageRecord")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<StageRecord, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut stage__ = None;
                let mut status__ = None;
                let mut display__ = None;
                let mut error__ = None;
                let mut time__ = None;
                let mut operation_id__ = None;
                let mut offending_lines__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Stage => {
                            if stage__.is_some() {
                                return Err(serde::de::Error::duplicate_field("stage"));
                            }
                            stage__ = Some(map_.next_value::<Stage>()? as i32);
                        }
                        GeneratedField::Status => {
                            if status__.is_some() {
                                return Err(serde::de::Error::duplicate_field("status"));
                            }
                            status__ = Some(map_.next_value::<stage_event::Status>()? as i32);
                        }
                        GeneratedField::Display => {
                            if display__.is_some() {
                                return Err(serde::de::Error::duplicate_field("display"));
                            }
                            display__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Error => {
                            if error__.is_some() {
                                return Err(serde::de::Error::duplicate_field("error"));
                            }
                            error__ = map_.next_value()?;
                        }
                        GeneratedField::Time => {
                            if time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("time"));
                            }
                            time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OffendingLines => {
                            if offending_lines__.is_some() {
                                return Err(serde::de::Error::duplicate_field("offendingLines"));
                            }
                            offending_lines__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(StageRecord {
                    stage: stage__.unwrap_or_default(),
                    status: status__.unwrap_or_default(),
                    display: display__.unwrap_or_default(),
                    error: error__,
                    time: time__.unwrap_or_default(),
                    operation_id: operation_id__.unwrap_or_default(),
                    offending_lines: offending_lines__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.StageRecord", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for SynchronizationStatus {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        let variant = match self {
            Self::Unspecified => "SYNCHRONIZATION_STATUS_UNSPECIFIED",
            Self::InSync => "InSync",
            Self::Synchronizing => "Synchronizing",
            Self::OutOfSync => "OutOfSync",
            Self::Unverified => "Unverified",
        };
        serializer.serialize_str(variant)
    }
}
impl<'de> serde::Deserialize<'de> for SynchronizationStatus {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "SYNCHRONIZATION_STATUS_UNSPECIFIED",
            "InSync",
            "Synchronizing",
            "OutOfSync",
            "Unverified",
        ];

        struct GeneratedVisitor;

        impl serde::de::Visitor<'_> for GeneratedVisitor {
            type Value = SynchronizationStatus;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "expected one of: {:?}", &FIELDS)
            }

            fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(v), &self)
                    })
            }

            fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                i32::try_from(v)
                    .ok()
                    .and_then(|x| x.try_into().ok())
                    .ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                    })
            }

            fn visit_str<E>(self, value: &str) -> std::result::Result<Self::Value, E>
            where
                E: serde::de::Error,
            {
                match value {
                    "SYNCHRONIZATION_STATUS_UNSPECIFIED" => Ok(SynchronizationStatus::Unspecified),
                    "InSync" => Ok(SynchronizationStatus::InSync),
                    "Synchronizing" => Ok(SynchronizationStatus::Synchronizing),
                    "OutOfSync" => Ok(SynchronizationStatus::OutOfSync),
                    "Unverified" => Ok(SynchronizationStatus::Unverified),
                    _ => Err(serde::de::Error::unknown_variant(value, FIELDS)),
                }
            }
        }
        deserializer.deserialize_any(GeneratedVisitor)
    }
}
impl serde::Serialize for WatchEventsRequest {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.WatchEventsRequest", len)?;
        if true {
            struct_ser.serialize_field("fabricId", &self.fabric_id)?;
        }
        if true {
            struct_ser.serialize_field("deviceId", &self.device_id)?;
        }
        if true {
            struct_ser.serialize_field("operationId", &self.operation_id)?;
        }
        if true {
            struct_ser.serialize_field("fromStart", &self.from_start)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for WatchEventsRequest {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "fabric_id",
            "fabricId",
            "device_id",
            "deviceId",
            "operation_id",
            "operationId",
            "from_start",
            "fromStart",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            FabricId,
            DeviceId,
            OperationId,
            FromStart,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "fabricId" | "fabric_id" => Ok(GeneratedField::FabricId),
                            "deviceId" | "device_id" => Ok(GeneratedField::DeviceId),
                            "operationId" | "operation_id" => Ok(GeneratedField::OperationId),
                            "fromStart" | "from_start" => Ok(GeneratedField::FromStart),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = WatchEventsRequest;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.WatchEventsRequest")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<WatchEventsRequest, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut fabric_id__ = None;
                let mut device_id__ = None;
                let mut operation_id__ = None;
                let mut from_start__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::FabricId => {
                            if fabric_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fabricId"));
                            }
                            fabric_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::DeviceId => {
                            if device_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("deviceId"));
                            }
                            device_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::OperationId => {
                            if operation_id__.is_some() {
                                return Err(serde::de::Error::duplicate_field("operationId"));
                            }
                            operation_id__ = Some(map_.next_value()?);
                        }
                        GeneratedField::FromStart => {
                            if from_start__.is_some() {
                                return Err(serde::de::Error::duplicate_field("fromStart"));
                            }
                            from_start__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(WatchEventsRequest {
                    fabric_id: fabric_id__.unwrap_or_default(),
                    device_id: device_id__.unwrap_or_default(),
                    operation_id: operation_id__.unwrap_or_default(),
                    from_start: from_start__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.WatchEventsRequest", FIELDS, GeneratedVisitor)
    }
}
impl serde::Serialize for WaveProgress {
    #[allow(deprecated)]
    fn serialize<S>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        use serde::ser::SerializeStruct;
        let mut len = 0;
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        if true {
            len += 1;
        }
        let mut struct_ser = serializer.serialize_struct("rotor.v1.WaveProgress", len)?;
        if true {
            struct_ser.serialize_field("name", &self.name)?;
        }
        if true {
            struct_ser.serialize_field("devices", &self.devices)?;
        }
        if true {
            struct_ser.serialize_field("failed", &self.failed)?;
        }
        if true {
            struct_ser.serialize_field("startTime", &self.start_time)?;
        }
        if true {
            struct_ser.serialize_field("endTime", &self.end_time)?;
        }
        struct_ser.end()
    }
}
impl<'de> serde::Deserialize<'de> for WaveProgress {
    #[allow(deprecated)]
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        const FIELDS: &[&str] = &[
            "name",
            "devices",
            "failed",
            "start_time",
            "startTime",
            "end_time",
            "endTime",
        ];

        #[allow(clippy::enum_variant_names)]
        enum GeneratedField {
            Name,
            Devices,
            Failed,
            StartTime,
            EndTime,
        }
        impl<'de> serde::Deserialize<'de> for GeneratedField {
            fn deserialize<D>(deserializer: D) -> std::result::Result<GeneratedField, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct GeneratedVisitor;

                impl serde::de::Visitor<'_> for GeneratedVisitor {
                    type Value = GeneratedField;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(formatter, "expected one of: {:?}", &FIELDS)
                    }

                    #[allow(unused_variables)]
                    fn visit_str<E>(self, value: &str) -> std::result::Result<GeneratedField, E>
                    where
                        E: serde::de::Error,
                    {
                        match value {
                            "name" => Ok(GeneratedField::Name),
                            "devices" => Ok(GeneratedField::Devices),
                            "failed" => Ok(GeneratedField::Failed),
                            "startTime" | "start_time" => Ok(GeneratedField::StartTime),
                            "endTime" | "end_time" => Ok(GeneratedField::EndTime),
                            _ => Err(serde::de::Error::unknown_field(value, FIELDS)),
                        }
                    }
                }
                deserializer.deserialize_identifier(GeneratedVisitor)
            }
        }
        struct GeneratedVisitor;
        impl<'de> serde::de::Visitor<'de> for GeneratedVisitor {
            type Value = WaveProgress;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("struct rotor.v1.WaveProgress")
            }

            fn visit_map<V>(self, mut map_: V) -> std::result::Result<WaveProgress, V::Error>
                where
                    V: serde::de::MapAccess<'de>,
            {
                let mut name__ = None;
                let mut devices__ = None;
                let mut failed__ = None;
                let mut start_time__ = None;
                let mut end_time__ = None;
                while let Some(k) = map_.next_key()? {
                    match k {
                        GeneratedField::Name => {
                            if name__.is_some() {
                                return Err(serde::de::Error::duplicate_field("name"));
                            }
                            name__ = Some(map_.next_value()?);
                        }
                        GeneratedField::Devices => {
                            if devices__.is_some() {
                                return Err(serde::de::Error::duplicate_field("devices"));
                            }
                            devices__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::Failed => {
                            if failed__.is_some() {
                                return Err(serde::de::Error::duplicate_field("failed"));
                            }
                            failed__ = 
                                Some(map_.next_value::<::pbjson::private::NumberDeserialize<_>>()?.0)
                            ;
                        }
                        GeneratedField::StartTime => {
                            if start_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("startTime"));
                            }
                            start_time__ = Some(map_.next_value()?);
                        }
                        GeneratedField::EndTime => {
                            if end_time__.is_some() {
                                return Err(serde::de::Error::duplicate_field("endTime"));
                            }
                            end_time__ = Some(map_.next_value()?);
                        }
                    }
                }
                Ok(WaveProgress {
                    name: name__.unwrap_or_default(),
                    devices: devices__.unwrap_or_default(),
                    failed: failed__.unwrap_or_default(),
                    start_time: start_time__.unwrap_or_default(),
                    end_time: end_time__.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_struct("rotor.v1.WaveProgress", FIELDS, GeneratedVisitor)
    }
}
